"""webhooks: feature operations (flush only; the caller commits)."""
