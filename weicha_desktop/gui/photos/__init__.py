"""照片: the photo log of a case (grid, preview, details, import, working copies)."""
