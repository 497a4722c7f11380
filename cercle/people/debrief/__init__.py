"""The debrief: what the network brought, month by month or quarter by quarter (selectors.py)."""
