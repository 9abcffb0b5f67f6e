"""The interaction log: every message and event exchanged with Chatwoot, newest first."""
