"""Ingest: article files and folders in, decoded (charset) and cleaned (clean) text out."""
