"""Ordered, named schema migrations. Append only: never edit or reorder one that has shipped."""

from __future__ import annotations

__all__ = ["MIGRATIONS"]

MIGRATIONS: list[tuple[str, str]] = [
    (
        "0001_llm_calls",
        """
        CREATE TABLE llm_calls (
            id INTEGER PRIMARY KEY,
            started_at TEXT NOT NULL,
            episode_id TEXT,
            stage TEXT NOT NULL,
            task TEXT NOT NULL,
            provider TEXT NOT NULL,
            model_asked TEXT NOT NULL,
            model_served TEXT,
            input_tokens INTEGER NOT NULL DEFAULT 0,
            cached_tokens INTEGER NOT NULL DEFAULT 0,
            cache_write_tokens INTEGER NOT NULL DEFAULT 0,
            output_tokens INTEGER NOT NULL DEFAULT 0,
            cost_usd REAL,
            cost_source TEXT NOT NULL DEFAULT 'unknown',
            latency_s REAL NOT NULL,
            error_class TEXT
        );
        CREATE INDEX llm_calls_episode ON llm_calls (episode_id, stage)
        """,
    ),
]
