"""The 现场勘验 module: the case list, the case tabs, and the views beside an open case."""
