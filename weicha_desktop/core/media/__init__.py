"""Photos as evidence: write-once originals (blobs), EXIF, previews, and the import pipeline."""
