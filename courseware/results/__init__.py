"""Where each trainee stands in the unit: read-only typed results (status.py) and the audit of
every change of a trainee's unit status (changes.py)."""
