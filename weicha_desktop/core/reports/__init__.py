"""PDF output with reportlab: the shipped CJK font embedded, QR codes drawn as vectors."""
