"""Layer 2: the SQLite store: ordered migrations, the LLM call ledger, jobs and render sessions."""
