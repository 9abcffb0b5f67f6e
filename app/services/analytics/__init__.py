"""Analytics the salon can act on (INTERFACES §10): figures per salon-local day, daily roll-ups, the report."""
