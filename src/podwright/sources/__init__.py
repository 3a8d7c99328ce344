"""Layer 2: ingest text, Markdown, PDF and HTML files or URLs into SourceDocs."""
