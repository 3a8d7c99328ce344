"""The take-QA test set: a two-host script of short plain lines with one chunk in five spoiled.

Shared by the slow QA test and the ``qa`` benchmark::

    qa_set = faulty_set(lines=30)      # faults cycle truncation, repetition, noise, silence, garble
    engines = {name: FaultyEngine(create_engine(name), qa_set.faults, stubborn=qa_set.stubborn) ...}
    rates = fault_rates(voiced.qa, qa_set)

Each line is one chunk (short enough for every engine). The last faulty line is ``stubborn``: faulty
whatever the seed, so it must end flagged; the other faults are fixed by a retake's new seed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bench.voice_script import SENTENCES

from podwright.core.episode import Script, Segment, Turn
from podwright.core.show import VoiceRef
from podwright.pipeline.take_review import QAReport
from tests.support.faulty_engine import FAULTS, Fault

__all__ = ["CAST", "LINES", "FaultRates", "QASet", "fault_rates", "faulty_set"]

CAST = {
    "maya": VoiceRef(engine="hibari", voice="heart", settings={"seed": 7}),
    "joe": VoiceRef(engine="piper", voice="en_US-joe-medium", settings={"deterministic": True}),
}

LINES = (
    "Rivers carry more than water to the sea.",
    "A single storm can move a sandbar overnight.",
    "Maps of the delta are redrawn every spring.",
    "The old ferry still crosses twice a day.",
    "Fishermen read the current like a page of text.",
    "Mud from the hills turns the water brown.",
    "Beavers build dams that change a whole valley.",
    "The bridge was finished just before the flood.",
    "Salmon swim upstream to the place they were born.",
    "In winter the river freezes from the edges in.",
    "Children skip flat stones across the calm pool.",
    "A lock lifts the barge up to the next level.",
    "Some rivers vanish underground and come back later.",
    "The water mill ground flour for the whole town.",
    "Engineers straightened the river a century ago.",
    "Now they are letting it bend again.",
    "Wetlands soak up the flood like a sponge.",
    "Herons wait without moving in the shallow water.",
    "The source is a small spring high in the hills.",
    "Every river has a story about its name.",
    "Trade followed the water long before the roads.",
    "Cities grew where boats could stop and unload.",
    "A waterfall marks the edge of hard rock.",
    "Gold once drew miners to these cold banks.",
    "Willows grow roots that hold the banks together.",
    "The tide reaches far inland on this river.",
    "Canoes were carved from single trunks of cedar.",
    "A drought can turn the river into puddles.",
    "Satellites now measure rivers from space.",
    "Still, nothing beats standing on the bank and watching.",
    "Otters came back once the water was clean again.",
    "The harbor was dredged so larger ships could enter.",
    "A hydro dam turns falling water into power.",
    "Sediment builds new land at the river mouth.",
    "Floods left marks on the walls of old houses.",
    "Rafting guides know every rock by its nickname.",
    "The river froze solid in the cold winter of that year.",
    "Kingfishers dive straight down into the stream.",
    "Gauges report the water level every fifteen minutes.",
    "We will follow one drop of rain all the way down.",
    *tuple(SENTENCES),
)


@dataclass(frozen=True)
class QASet:
    """A script of ``lines`` one-chunk turns and the faults injected into one in five."""

    script: Script
    faults: dict[str, Fault]
    stubborn: frozenset[str]
    clean: frozenset[str] = field(default_factory=frozenset)


def faulty_set(lines: int = 30) -> QASet:
    """The first ``lines`` lines (hosts alternating), every fifth one spoiled, kinds in turn."""
    if not 5 <= lines <= len(LINES):
        raise ValueError(f"lines must be 5..{len(LINES)}")
    texts = LINES[:lines]
    faulty = [text for index, text in enumerate(texts) if index % 5 == 2]
    faults = {text: FAULTS[n % len(FAULTS)] for n, text in enumerate(faulty)}
    turns = tuple(Turn(host="maya" if i % 2 == 0 else "joe", text=text) for i, text in enumerate(texts))
    script = Script(
        episode_id="qa-set",
        show_slug="qa",
        title="Rivers",
        hosts={"maya": "Maya", "joe": "Joe"},
        segments=(Segment(kind="body", title="Rivers", turns=turns),),
    )
    return QASet(
        script=script,
        faults=faults,
        stubborn=frozenset(faulty[-1:]),
        clean=frozenset(text for text in texts if text not in faults),
    )


@dataclass(frozen=True)
class FaultRates:
    """How take QA's first takes fared: faults caught, clean takes passed."""

    faults: int
    detected: int
    clean: int
    clean_failed: int
    clean_flagged: int
    missed: tuple[str, ...]
    false_alarms: tuple[str, ...]

    def __str__(self) -> str:
        return (
            f"{self.detected}/{self.faults} faults caught, {self.clean_failed}/{self.clean} clean first "
            f"takes failed, {self.clean_flagged} clean lines flagged"
        )


def fault_rates(report: QAReport, qa_set: QASet) -> FaultRates:
    """Detection (a faulty first take failed) and false alarms (a clean first take failed) of ``report``."""
    lines = {line.text: line for line in report.lines}
    faulty = [lines[text] for text in qa_set.faults]
    clean = [lines[text] for text in qa_set.clean]
    missed = tuple(
        f"{line.text!r} ({qa_set.faults[line.text]}): heard {line.takes[0].heard!r}"
        for line in faulty
        if line.takes[0].passed
    )
    alarms = tuple(
        f"{line.text!r}: heard {line.takes[0].heard!r} {[p.value for p in line.takes[0].problems]}"
        for line in clean
        if not line.takes[0].passed
    )
    return FaultRates(
        faults=len(faulty),
        detected=len(faulty) - len(missed),
        clean=len(clean),
        clean_failed=len(alarms),
        clean_flagged=sum(line.flagged for line in clean),
        missed=missed,
        false_alarms=alarms,
    )
