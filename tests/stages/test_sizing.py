from __future__ import annotations

import pytest

from podwright.stages.sizing import dialogue_max_tokens, size_episode, text_max_tokens, words_for_minutes
from tests.stages.shows import starter_show


def test_words_follow_the_hosts_speaking_rate() -> None:
    show = starter_show()
    assert show.words_per_minute == pytest.approx(152.5)
    assert words_for_minutes(10, show.words_per_minute) == 1525


@pytest.mark.parametrize("minutes", [1.5, 5, 10, 30, 90])
def test_episode_split_sums_and_follows_template_shares(minutes: float) -> None:
    show = starter_show()
    size = size_episode(show, minutes)
    assert sum(size.segment_words) == size.body_words
    assert size.intro_words + size.body_words + size.conclusion_words == size.total_words
    assert len(size.segment_words) == len(show.template)
    if minutes >= 10:
        shares = [spec.share for spec in show.template]
        for words, share in zip(size.segment_words, shares, strict=True):
            assert words / size.body_words == pytest.approx(share / sum(shares), abs=0.01)
        assert size.intro_words / size.total_words == pytest.approx(0.08, abs=0.01)
        assert size.conclusion_words / size.total_words == pytest.approx(0.07, abs=0.01)


def test_token_budgets_grow_with_words_and_respect_caps() -> None:
    assert dialogue_max_tokens(50) < dialogue_max_tokens(500)
    assert dialogue_max_tokens(100) >= 100 * 1.4
    assert text_max_tokens(10_000, cap=3000) == 3000


def test_demo_episode_stays_small_for_the_local_model() -> None:
    size = size_episode(starter_show(), 1.5)
    # Every dialogue answer of the 1.5-minute demo fits in a few hundred tokens (~10 tokens/s locally).
    assert max(dialogue_max_tokens(words) for words in size.segment_words) < 400
