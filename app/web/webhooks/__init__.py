"""Webhook deliveries received from Chatwoot: status, raw body, replay."""
