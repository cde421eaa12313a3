"""报告: a case as the official PDF, previewed, printed or exported."""
