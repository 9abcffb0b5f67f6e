"""Everything that knows about Chatwoot: the HTTP client, matching, sync and webhook events."""
