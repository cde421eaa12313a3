"""核查: the check page (page.py)."""
