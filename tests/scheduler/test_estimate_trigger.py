"""Estimates from calibration samples, and when staged work justifies a session."""

from __future__ import annotations

import pytest

from podwright.core.jobs import JobRecord, JobState
from podwright.core.show import Tier
from podwright.scheduler.estimate import Calibration, calibration_key, estimate_job
from podwright.scheduler.order import OrderPolicy, QueueItem
from podwright.scheduler.trigger import SessionTrigger


def job(**fields: object) -> JobRecord:
    base: dict[str, object] = dict(
        id="ep",
        show_path="s.toml",
        request_json="{}",
        state=JobState.SCRIPTED,
        tier=Tier.DRAFT,
        render_tier=Tier.DRAFT,
        target_minutes=10.0,
        created_at=0.0,
        updated_at=0.0,
        estimate_audio_s=600.0,
        estimate_compute_s=30.0,
    )
    base.update(fields)
    return JobRecord.model_validate(base)


def test_calibration_pools_ratios_of_sums() -> None:
    # 300 words in 100 s rendered in 5 s, 900 words in 300 s rendered in 30 s -> 3 words/s, RTF 35/400
    cal = Calibration.from_samples([(300, 100.0, 5.0), (900, 300.0, 30.0)])
    assert cal.words_per_s == pytest.approx(3.0)
    assert cal.rtf == pytest.approx(35 / 400)
    assert cal.samples == 2


def test_defaults_before_any_render() -> None:
    cal = Calibration.from_samples([], default_rtf=0.9)
    assert (cal.words_per_s, cal.rtf, cal.samples) == (2.5, 0.9, 0)


def test_estimate_from_words_once_scripted_else_from_minutes() -> None:
    cal = Calibration(words_per_s=3.0, rtf=0.1)
    assert estimate_job(job(word_count=1500), cal) == pytest.approx((500.0, 50.0))
    assert estimate_job(job(word_count=None, target_minutes=5), cal) == pytest.approx((300.0, 30.0))
    assert calibration_key("final", "A100-80GB") == "final@A100-80GB"


TRIGGER = SessionTrigger(min_episodes=3, max_wait_s=600, policy=OrderPolicy(urgent_slack_s=100))


def items(*arrivals: float, deadline: float | None = None) -> list[QueueItem]:
    return [QueueItem(f"j{i}", 60.0, t, deadline=deadline) for i, t in enumerate(arrivals)]


def test_trigger_waits_for_a_batch_while_scripts_are_coming() -> None:
    assert TRIGGER.justify([], 0, draining=True) is None
    assert TRIGGER.justify(items(0, 0), 10, draining=False) is None
    assert TRIGGER.justify(items(0, 0, 0), 10, draining=False) == "3 episodes staged"


def test_trigger_on_oldest_wait_deadline_or_drained_backlog() -> None:
    assert TRIGGER.justify(items(0), 600, draining=False) == "oldest staged episode waited 600 s"
    assert TRIGGER.justify(items(0, deadline=150), 10, draining=False) == "deadline pressure"
    assert TRIGGER.justify(items(0), 10, draining=True) == "backlog fully staged"
