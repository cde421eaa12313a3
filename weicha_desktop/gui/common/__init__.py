"""What every screen shares: fonts, language, settings, names of codes, tables, workers."""
