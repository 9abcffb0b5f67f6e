"""Outgoing notifications: status per message, filters, retry."""
