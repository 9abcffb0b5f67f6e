"""contacts: feature operations (flush only; the caller commits)."""
