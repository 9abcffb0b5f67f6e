"""The agents' side of Chatwoot (INTERFACES §9): stylists mapped to agents, conversation assignment."""
