"""Layer 2: ingest text, Markdown, PDF and HTML files or URLs into SourceDocs."""

from podwright.sources.ingest import ingest, ingest_all
from podwright.sources.split import needs_summary, split_for_summary

__all__ = ["ingest", "ingest_all", "needs_summary", "split_for_summary"]
