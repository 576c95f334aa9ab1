"""Rendering protected results: the memo (DOCX, HTML), workbooks, breakdown and comparison documents, figures."""
