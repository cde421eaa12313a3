"""采集 (base information): persons, vehicles and places — lists, forms, links (gui/collect)."""
