"""Golden test: the static prefix is byte-identical across an episode's segment calls."""

from __future__ import annotations

import json

from podwright.core import Citation, LLMRequest, Outline, OutlineSegment, ResearchBrief, Segment, Turn
from podwright.stages import bookends, dialogue
from podwright.stages.context import bookend_prefix, episode_prefix
from podwright.stages.quality import check_segment
from podwright.stages.review import build_repair_request
from tests.stages.shows import starter_show

BRIEF = ResearchBrief(summary="Light is finite.", key_facts=("c = 299,792 km/s",), angles=("Olbers",))
OUTLINE = Outline(
    title="Dark skies",
    segments=tuple(
        OutlineSegment(kind=kind, title=f"T{n}", key_points=(f"kp{n}",), target_words=100 + n)
        for n, kind in enumerate(("setup", "deep_dive", "takeaways"), start=1)
    ),
)


def _segment_requests(brief: ResearchBrief = BRIEF, show_name: str | None = None) -> list[LLMRequest]:
    show = starter_show()
    if show_name:
        show = show.model_copy(update={"name": show_name})
    previous = (Turn(host="maya", text="So where were we?"),)
    return [
        dialogue.build_request(
            show, brief, OUTLINE, index, episode_id="ep", previous_turns=previous if index == 2 else ()
        )
        for index in range(1, 4)
    ]


def _prefix(request: LLMRequest) -> bytes:
    marks = [i for i, message in enumerate(request.messages) if message.cache_breakpoint]
    assert len(marks) == 1
    return "\x00".join(m.role + "\x01" + m.content for m in request.messages[: marks[0] + 1]).encode()


def test_static_prefix_is_byte_identical_across_segment_calls() -> None:
    requests = _segment_requests()
    prefixes = {_prefix(request) for request in requests}
    assert len(prefixes) == 1
    # Everything that varies comes after the breakpoint, in the last message only.
    tails = [request.messages[-1].content for request in requests]
    assert len(set(tails)) == 3
    assert "Write segment 2 of 3" in tails[1] and "So where were we?" in tails[1]
    # Who covers what: segment 2 continues after Maya's line, so Joe opens on its first key point.
    assert 'Who says what: Joe opens on "kp2"' in tails[1] and 'Maya opens on "kp1"' in tails[0]
    # Each segment is told where it sits: the first follows the intro's welcome, the last ends on
    # its own idea (the conclusion's goodbye is never named), and none of them greets.
    assert all("no hello, welcome or introduction of the hosts" in tail for tail in tails)
    assert "intro just before this segment already welcomed" in tails[0]
    assert "ends on its own last idea" in tails[2]
    assert not any("goodbye" in tail or "thank" in tail for tail in tails)
    assert "do not wrap up" in tails[0] and "do not wrap up" in tails[1] and "do not wrap up" not in tails[2]
    # Later segments hear what came before only as titles and one quoted last sentence, marked as said.
    assert 'Already covered before this segment: "T1", "T2".' in tails[2]
    assert 'ended with Maya saying "So where were we?" That is said: do not say it again' in tails[1]
    # The schema travels with every call (some providers put it in the prompt): identical too.
    assert len({json.dumps(request.json_schema, sort_keys=True) for request in requests}) == 1
    for request in requests:
        assert request.messages[-1].cache_breakpoint is False
        assert "Write segment" not in _prefix(request).decode()


def test_prefix_holds_the_static_context() -> None:
    system, context = episode_prefix(starter_show(), BRIEF, OUTLINE)
    for needed in ("Maya", "`maya`", "Joe", "curious adults", "no jargon", "`en`", '"turns"'):
        assert needed in system.content
    for needed in ("deep_dive", "Light is finite.", "c = 299,792 km/s", "Dark skies", "kp2"):
        assert needed in context.content
    assert context.cache_breakpoint and not system.cache_breakpoint


def test_prefix_differs_per_episode_and_per_show() -> None:
    base = _prefix(_segment_requests()[0])
    other_episode = _prefix(_segment_requests(brief=BRIEF.model_copy(update={"summary": "Other."}))[0])
    other_show = _prefix(_segment_requests(show_name="Another Show")[0])
    assert len({base, other_episode, other_show}) == 3


def test_intro_and_conclusion_share_a_shorter_prefix_without_dialogue() -> None:
    show = starter_show()
    body = ()
    requests = [
        bookends.build_request(show, which, title="Dark", body=body, summary="SUM", words=40, episode_id="e")
        for which in ("intro", "conclusion")
    ]
    assert _prefix(requests[0]) == _prefix(requests[1])
    assert requests[0].messages[-1].content != requests[1].messages[-1].content
    # One job per turn, so the second host does not restate the first; neither reuses the summary.
    intro, conclusion = (request.messages[-1].content for request in requests)
    assert "Maya welcomes the listeners to Curious Minutes and asks the episode's question; Joe then" in intro
    assert "Joe then adds one last thought, thanks the listeners and signs off" in conclusion
    assert all("never reuse a sentence of the summary" in text for text in (intro, conclusion))
    # The bookend prefix starts with the same system message as the segment calls.
    assert (
        requests[0].messages[0] == bookend_prefix(show, "x", [], "y")[0] == _segment_requests()[0].messages[0]
    )


def test_repair_request_keeps_the_prefix_byte_identical_and_names_the_failure() -> None:
    show = starter_show()
    requests = _segment_requests()
    draft = Segment(kind="deep_dive", title="T2", turns=(Turn(host="joe", text="Light is slow"),))
    quality = check_segment(draft, show, stage="segment-2", target_words=102)
    repair = build_repair_request(requests[1], quality)
    # The same cache prefix as every other segment call of the episode, byte for byte.
    assert _prefix(repair) == _prefix(requests[0]) == _prefix(requests[2])
    # The whole first request is its prefix; only the note comes after (the draft is not sent back).
    assert repair.messages[: len(requests[1].messages)] == requests[1].messages
    assert [m.role for m in repair.messages[len(requests[1].messages) :]] == ["user"]
    assert all(message.role != "assistant" for message in repair.messages)
    note = repair.messages[-1].content
    assert note.startswith(
        "A first draft of this segment failed these checks:\n- turns: 1 turn; at least 2 for ~102 words."
    )
    assert "- speakers: " in note and "- cut_off: " in note and "- greetings" not in note
    assert repair.stage == "segment-2-repair" and repair.task is requests[1].task
    assert repair.json_schema == requests[1].json_schema and repair.max_tokens == requests[1].max_tokens
    assert repair.messages[-1].cache_breakpoint is False


def test_the_local_grammar_pins_each_turn_to_a_host_and_stays_out_of_the_prompt() -> None:
    show = starter_show()
    requests = _segment_requests()
    for request in requests:
        assert request.grammar_schema is not None
        assert "prefixItems" not in json.dumps(request.json_schema)
    turns = requests[1].grammar_schema["properties"]["turns"]  # type: ignore[index]
    speakers = [item["properties"]["speaker"]["enum"] for item in turns["prefixItems"]]
    # Segment 2 continues after Maya's line, so Joe opens; the hosts alternate.
    assert speakers == [["joe"], ["maya"]]
    assert turns["minItems"] == turns["maxItems"] == 2 and turns["items"] is False
    big = dialogue.turns_grammar_schema(show, 5)
    assert [i["properties"]["speaker"]["enum"][0] for i in big["properties"]["turns"]["prefixItems"]] == [
        "maya",
        "joe",
        "maya",
        "joe",
        "maya",
    ]


def test_cited_sources_sit_in_the_prefix_byte_identical_across_segment_calls() -> None:
    sources = (
        Citation(url="https://a.example/light", title="Light is finite", passage="It travels at c."),
        Citation(url="https://b.example/olbers", title="Olbers' paradox"),
    )
    cited = BRIEF.model_copy(
        update={"sources": sources, "sourcing": "Sources: 2 web pages found by web research."}
    )
    requests = _segment_requests(brief=cited)
    assert len({_prefix(request) for request in requests}) == 1
    prefix = _prefix(requests[0]).decode()
    assert "Sources: 2 web pages found by web research." in prefix
    assert "[1] Light is finite — https://a.example/light\n    It travels at c." in prefix
    assert "[2] Olbers' paradox — https://b.example/olbers" in prefix
    # The sources come before the plan, and nothing of them after the cache breakpoint.
    assert prefix.index("[2] Olbers") < prefix.index("Episode plan:")
    assert all("a.example" not in request.messages[-1].content for request in requests)
    # Without sources the prefix says what research rested on instead (and only when it is known).
    plain = BRIEF.model_copy(update={"sourcing": "Sources: the documents provided; no web research."})
    assert "no web research" in _prefix(_segment_requests(brief=plain)[0]).decode()
    assert "Sources" not in _prefix(_segment_requests()[0]).decode()


def test_said_sentences_go_in_the_per_call_block_and_leave_the_prefix_byte_identical() -> None:
    show = starter_show()
    setup = Segment(
        kind="setup",
        title="T1",
        turns=(
            Turn(host="maya", text="Why is the night sky dark at all? Good question."),
            Turn(host="joe", text="Light from very distant stars has not reached us yet."),
        ),
    )
    plain, told = (
        dialogue.build_request(show, BRIEF, OUTLINE, 2, episode_id="ep", said=said) for said in ((), (setup,))
    )
    assert _prefix(told) == _prefix(plain) == _prefix(_segment_requests()[0])
    tail = told.messages[-1].content
    assert "Already said in the segments before this one" not in plain.messages[-1].content
    assert "Already said in the segments before this one" in tail
    # Named by their first words only: the small model copies whole sentences it is shown.
    assert "- Why is the night sky …\n- Light from very distant stars …" in tail
    assert "has not reached us yet" not in tail
    # Too short to count as a repeat, so not worth the tokens.
    assert "Good question." not in tail


def test_written_in_order_the_hand_over_names_the_speaker_without_quoting_the_last_line() -> None:
    show = starter_show()
    before = Segment(
        kind="setup",
        title="T1",
        turns=(Turn(host="maya", text="Light from very distant stars has not reached us yet."),),
    )
    concurrent, in_order = (
        dialogue.build_request(
            show, BRIEF, OUTLINE, 2, episode_id="ep", previous_turns=before.turns, said=said
        )
        .messages[-1]
        .content
        for said in ((), (before,))
    )
    assert 'ended with Maya saying "Light from very distant stars has not reached us yet."' in concurrent
    # Quoted to every later segment, the line was what each one opened on, word for word.
    assert "ended with Maya speaking: carry on from there with something new." in in_order
    assert "has not reached us yet" not in in_order


def test_said_sentences_are_deduplicated_and_capped_to_the_longest_in_order() -> None:
    long, longer, longest = (
        "Light takes time to reach us here.",
        "Light takes time to reach us from afar.",
        "Light takes a long time to reach us from afar.",
    )
    segment = Segment(
        kind="setup",
        title="T1",
        turns=(Turn(host="maya", text=f"{longest} {long}"), Turn(host="joe", text=f"{long} {longer}")),
    )
    assert dialogue.said_sentences([segment]) == [longest, long, longer]
    assert dialogue.said_sentences([segment], limit=2) == [longest, longer]
