"""accounts: feature operations (flush only; the caller commits)."""
