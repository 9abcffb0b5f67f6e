"""/t/<tenant>/analytics: the period's figures, server-rendered SVG charts with their tables, the CSV."""
