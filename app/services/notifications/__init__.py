"""notifications: feature operations (flush only; the caller commits)."""
