"""Nothing paid is paid twice: a ``podwright script`` killed mid-run resumes from the response cache.

A real ``podwright script`` process writes against the loopback server and is SIGKILLed after a few
answers; the rerun sends only the requests never answered, the ledger marks the replays, and
``--fresh`` asks everything again.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.pipeline.test_script_cli import _script, _show_file
from tests.support.fake_openai import FakeChatServer
from tests.support.loopback_show import answer_any_stage as _answer

FULL_RUN_CALLS = 10
"""research, outline, 3 segments, summary, intro, conclusion, metadata, image prompts."""


def _command(show: Path, out: Path) -> list[str]:
    code = "import sys; from podwright.cli.main import main; sys.argv[0] = 'podwright'; main()"
    return [sys.executable, "-c", code, "script", "--show", str(show), "--out", str(out)]


def _env(home: Path) -> dict[str, str]:
    src = Path(__file__).parents[2] / "src"
    return {
        **os.environ,
        "PODWRIGHT_HOME": str(home),
        "OPENROUTER_API_KEY": "sk-test",
        "PYTHONPATH": f"{src}{os.pathsep}{os.environ.get('PYTHONPATH', '')}",
    }


def _bodies(server: FakeChatServer) -> list[str]:
    return [json.dumps(r.body, sort_keys=True) for r in server.requests]


def test_a_killed_script_run_resumes_paying_only_for_the_missing_calls(
    tmp_path: Path, podwright_home: Path
) -> None:
    # Two minutes: the scripted answers pass every quality check, so no repair call changes the count.
    args = ["--episode-id", "ep1", "--topic", "why the night sky is dark", "--minutes", "2"]
    with FakeChatServer(_answer, min_cache_tokens=200, ttft_s=0.25) as server:
        show = _show_file(tmp_path, server.base_url)
        out = tmp_path / "out"
        first = subprocess.Popen(
            [*_command(show, out), *args],
            env=_env(podwright_home),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        while sum(r.finished is not None for r in server.requests) < 4 and time.monotonic() < deadline:
            time.sleep(0.02)
        first.send_signal(signal.SIGKILL)
        first.wait()
        sent_first = _bodies(server)
        assert 4 <= len(sent_first) < FULL_RUN_CALLS
        assert not (out / "show" / "ep1" / "script.json").exists()

        conn = sqlite3.connect(podwright_home / "podwright.db")
        stored = conn.execute("SELECT COUNT(*) FROM llm_responses").fetchone()[0]
        assert stored >= 3  # the answers that reached the process before it died

        server.reset()
        second = subprocess.run(
            [*_command(show, out), *args],
            env=_env(podwright_home),
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert second.returncode == 0, second.stderr
        sent_second = _bodies(server)
        # Only the calls never answered went out again; every stored answer was replayed.
        assert len(sent_second) == FULL_RUN_CALLS - stored
        assert sent_first[0] not in sent_second  # research was answered before the kill
        assert "from cache" in second.stdout
        rows = conn.execute(
            "SELECT cost_usd, cost_source, input_tokens FROM llm_calls WHERE cost_source = 'cache'"
        ).fetchall()
        assert len(rows) == stored
        assert all(row == (0.0, "cache", 0) for row in rows)
        run = json.loads(next(out.glob("*/ep1/run.json")).read_text(encoding="utf-8"))["script"]
        assert run["cache_hits"] == stored
        assert run["calls"] == FULL_RUN_CALLS

        server.reset()
        third = subprocess.run(
            [*_command(show, out), *args, "--fresh"],
            env=_env(podwright_home),
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert third.returncode == 0, third.stderr
        assert len(server.requests) == FULL_RUN_CALLS  # --fresh asks every call again
        conn.close()


def test_run_json_and_the_ledger_count_the_same_attempts(
    tmp_path: Path, podwright_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENROUTER_API_KEY", "sk-test")
    with FakeChatServer(_answer, min_cache_tokens=200) as server:
        server.fail_next(429, times=1, retry_after=0)
        server.fail_next(500, times=1)
        server.malformed_next(1, kind="content")  # the research answer after the retries: repaired
        result = _script(tmp_path, _show_file(tmp_path, server.base_url), "--topic", "Dark", "--minutes", "2")
        assert result.exit_code == 0, result.output
        assert "(2 retries, 1 repair)" in result.output
    run = json.loads(next((tmp_path / "out").glob("*/ep1/run.json")).read_text(encoding="utf-8"))["script"]
    research = {s["stage"]: s for s in run["stages"]}["research"]
    assert (research["calls"], research["answers"], research["retries"], research["repairs"]) == (4, 2, 2, 1)
    with sqlite3.connect(podwright_home / "podwright.db") as conn:
        rows = conn.execute(
            "SELECT error_class, cost_usd, cost_source FROM llm_calls WHERE episode_id = 'ep1'"
        ).fetchall()
    assert run["calls"] == len(rows) == FULL_RUN_CALLS + 3
    assert (run["retries"], run["repairs"], run["cache_hits"]) == (2, 1, 0)
    rejected = [row for row in rows if row[0] is not None]
    # Rejected with an HTTP status: never billed, and known to cost nothing (totals stay complete).
    assert rejected == [("ProviderError", 0.0, "rejected")] * 2
    assert all(row[1] is not None for row in rows)
