"""clients: feature operations (flush only; the caller commits)."""
