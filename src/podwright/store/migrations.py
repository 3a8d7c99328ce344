"""Ordered, named schema migrations. Append only: never edit or reorder one that has shipped.

Written in SQLite's DDL; PostgreSQL runs the same list through :func:`podwright.store.db.postgres_ddl`
(``INTEGER PRIMARY KEY`` → identity, ``INTEGER`` → ``BIGINT``, ``REAL`` → ``DOUBLE PRECISION``), so
write only DDL both engines accept: no ``AUTOINCREMENT``, ``WITHOUT ROWID`` or SQLite-only functions.
"""

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
    (
        "0003_jobs",
        """
        CREATE TABLE jobs (
            id TEXT PRIMARY KEY,
            show_path TEXT NOT NULL,
            request_json TEXT NOT NULL,
            state TEXT NOT NULL,
            tier TEXT NOT NULL,
            render_tier TEXT NOT NULL,
            review INTEGER NOT NULL DEFAULT 0,
            priority INTEGER NOT NULL DEFAULT 0,
            deadline REAL,
            target_minutes REAL NOT NULL,
            created_at REAL NOT NULL,
            updated_at REAL NOT NULL,
            staged_at REAL,
            episode_dir TEXT,
            word_count INTEGER,
            estimate_audio_s REAL NOT NULL,
            estimate_compute_s REAL NOT NULL,
            lease_owner TEXT,
            lease_started_at REAL,
            lease_expires_at REAL,
            attempts INTEGER NOT NULL DEFAULT 0,
            error TEXT
        );
        CREATE INDEX jobs_state ON jobs (state, priority);
        CREATE TABLE job_attempts (
            id INTEGER PRIMARY KEY,
            job_id TEXT NOT NULL REFERENCES jobs (id),
            phase TEXT NOT NULL,
            tier TEXT,
            worker TEXT NOT NULL,
            started_at REAL NOT NULL,
            ended_at REAL NOT NULL,
            outcome TEXT NOT NULL,
            error TEXT
        );
        CREATE INDEX job_attempts_job ON job_attempts (job_id)
        """,
    ),
    (
        "0004_render_sessions",
        """
        CREATE TABLE render_sessions (
            id INTEGER PRIMARY KEY,
            worker TEXT NOT NULL,
            device TEXT NOT NULL,
            started_at REAL NOT NULL,
            stopped_at REAL,
            cold_start_s REAL NOT NULL DEFAULT 0,
            active_s REAL NOT NULL DEFAULT 0,
            idle_s REAL NOT NULL DEFAULT 0,
            episodes INTEGER NOT NULL DEFAULT 0,
            failures INTEGER NOT NULL DEFAULT 0,
            stop_reason TEXT
        );
        CREATE TABLE session_episodes (
            id INTEGER PRIMARY KEY,
            session_id INTEGER NOT NULL REFERENCES render_sessions (id),
            job_id TEXT NOT NULL,
            tier TEXT NOT NULL,
            started_at REAL NOT NULL,
            ended_at REAL NOT NULL,
            audio_s REAL NOT NULL,
            compute_s REAL NOT NULL,
            estimate_compute_s REAL NOT NULL,
            outcome TEXT NOT NULL,
            error TEXT,
            chunks_synthesized INTEGER NOT NULL DEFAULT 0,
            chunks_cached INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX session_episodes_session ON session_episodes (session_id);
        CREATE TABLE render_calibration (
            id INTEGER PRIMARY KEY,
            key TEXT NOT NULL,
            words INTEGER NOT NULL,
            audio_s REAL NOT NULL,
            compute_s REAL NOT NULL,
            at REAL NOT NULL
        );
        CREATE INDEX render_calibration_key ON render_calibration (key, id)
        """,
    ),
    (
        "0010_schedule_runs",
        """
        CREATE TABLE schedule_runs (
            show_slug TEXT NOT NULL,
            due_at TEXT NOT NULL,
            topic TEXT NOT NULL,
            job_key TEXT NOT NULL,
            job_id TEXT,
            claimed_at REAL NOT NULL,
            PRIMARY KEY (show_slug, due_at)
        );
        CREATE UNIQUE INDEX schedule_runs_topic ON schedule_runs (show_slug, topic)
        """,
    ),
    (
        "0011_episodes",
        """
        CREATE TABLE episodes (
            key TEXT PRIMARY KEY,
            show_slug TEXT NOT NULL,
            episode_id TEXT NOT NULL,
            title TEXT NOT NULL,
            topic TEXT,
            sources_json TEXT NOT NULL DEFAULT '[]',
            folder TEXT NOT NULL,
            state TEXT NOT NULL,
            script_sha TEXT,
            approved_by TEXT,
            approved_at REAL,
            approved_script_sha TEXT,
            published_by TEXT,
            published_at REAL,
            published_tier TEXT,
            job_id TEXT,
            error TEXT,
            created_at REAL NOT NULL,
            updated_at REAL NOT NULL
        );
        CREATE INDEX episodes_show ON episodes (show_slug, created_at);
        CREATE TABLE episode_renders (
            key TEXT NOT NULL REFERENCES episodes (key),
            tier TEXT NOT NULL,
            folder TEXT NOT NULL,
            files_json TEXT NOT NULL,
            audio_s REAL NOT NULL,
            compute_s REAL NOT NULL,
            cost_usd REAL,
            script_sha TEXT NOT NULL,
            rendered_at REAL NOT NULL,
            PRIMARY KEY (key, tier)
        );
        CREATE TABLE episode_events (
            id INTEGER PRIMARY KEY,
            key TEXT NOT NULL REFERENCES episodes (key),
            from_state TEXT,
            to_state TEXT NOT NULL,
            actor TEXT NOT NULL,
            at REAL NOT NULL,
            note TEXT NOT NULL DEFAULT ''
        );
        CREATE INDEX episode_events_key ON episode_events (key, id);
        ALTER TABLE jobs ADD COLUMN episode_key TEXT
        """,
    ),
    (
        "0020_llm_responses",
        """
        CREATE TABLE llm_responses (
            key TEXT PRIMARY KEY,
            model TEXT NOT NULL,
            response_json TEXT NOT NULL,
            stored_at REAL NOT NULL
        )
        """,
    ),
    (
        "0020_session_heartbeats",
        """
        ALTER TABLE render_sessions ADD COLUMN last_seen_at REAL
        """,
    ),
    (
        "0030_job_leases",
        """
        CREATE INDEX jobs_lease ON jobs (state, lease_expires_at)
        """,
    ),
]
