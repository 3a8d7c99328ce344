"""A deterministic two-host script of any length, for the voice benchmark.

Every turn is one or two plain sentences from a fixed list plus one dated fact, so no two turns are
the same text (the chunk cache would otherwise share them) and the same ``words`` always gives the
same script.
"""

from __future__ import annotations

from podwright.core.episode import Script, Segment, Turn

HOSTS = {"maya": "Maya", "joe": "Joe"}

SENTENCES = (
    "Before radio and satellites, a ship's captain found the coast by looking for a light in the dark.",
    "A lighthouse is really two inventions at once: a tall tower and a very clever lamp.",
    "The tower puts the light above the curve of the earth, so it can be seen from farther away.",
    "The lamp is the hard part, because an open flame spreads its light in every direction.",
    "Early keepers burned wood and coal in iron baskets, and most of that glow was simply wasted.",
    "Then came oil lamps with polished mirrors behind them, which pushed the light out toward the sea.",
    "The real leap was the Fresnel lens, a ring of glass prisms that bends stray light into one beam.",
    "Picture a magnifying glass sliced into thin rings and stacked so it stays light enough to turn.",
    "Each lighthouse also had its own rhythm of flashes, so sailors could tell one from another.",
    "A captain would count the seconds between flashes and check the pattern against a printed list.",
    "Keepers lived at the station with their families and often had to climb the stairs all night.",
    "They trimmed the wicks, cleaned the soot from the glass and wound the clockwork that turned the lens.",
    "In bad fog the light was useless, so many stations also had horns, bells or even small cannons.",
    "Storms could cut a rock station off from the mainland for weeks at a time.",
    "Most lights are automatic today, and the keepers' cottages have become museums and guest houses.",
    "Modern ships navigate by satellite, but the lights still serve as a backup when electronics fail.",
    "What I love is that the same idea, bending light where you need it, is in every car headlight.",
    "It is a good reminder that the simplest technology is often the one that lasts the longest.",
    "So the next time you walk along a harbor at night, count the flashes and see which light it is.",
    "And if you ever get the chance to climb one, the view from the gallery is worth every step.",
)

PLACES = ("Cape Hatteras", "Eddystone", "Fastnet", "Point Reyes", "Split Rock", "Bell Rock", "Montauk Point")

FACTS = (
    "By {year}, the light at {place} could be seen {miles} miles out at sea.",
    "In {year}, {keepers} keepers at {place} logged more than {ships} passing ships.",
    "The lens installed at {place} in {year} weighed about {tons} tons.",
    "Records from {year} say the {place} station burned {gallons} gallons of oil that winter.",
    "A storm in {year} kept the crew at {place} cut off for {days} days.",
)


def _turn_text(index: int) -> str:
    sentences = SENTENCES[index % len(SENTENCES)]
    if index % 3 == 0:
        sentences += " " + SENTENCES[(index * 7 + 3) % len(SENTENCES)]
    fact = FACTS[index % len(FACTS)].format(
        year=1790 + 3 * index,
        place=PLACES[index % len(PLACES)],
        miles=12 + index % 17,
        keepers=2 + index % 4,
        ships=300 + 25 * index,
        tons=2 + index % 5,
        gallons=400 + 10 * index,
        days=5 + index % 20,
    )
    return f"{sentences} {fact}"


def lighthouse_script(words: int, *, segments: int = 4) -> Script:
    """About ``words`` words (never fewer) of Maya and Joe alternating, in ``segments`` segments."""
    texts: list[str] = []
    while sum(len(text.split()) for text in texts) < words:
        texts.append(_turn_text(len(texts)))
    count = min(segments, len(texts))
    bounds = [round(len(texts) * i / count) for i in range(count + 1)]
    hosts = list(HOSTS)
    built = []
    for s in range(count):
        kind = "intro" if s == 0 else "conclusion" if s == count - 1 else "deep_dive"
        turns = tuple(
            Turn(host=hosts[t % len(hosts)], text=texts[t]) for t in range(bounds[s], bounds[s + 1])
        )
        built.append(Segment(kind=kind, title=f"Part {s + 1}", turns=turns))
    return Script(
        episode_id=f"bench-{words}",
        show_slug="curious-minutes",
        title="How lighthouses work",
        hosts=HOSTS,
        segments=tuple(built),
    )


def edit_one_line(script: Script, host: str = "joe") -> tuple[Script, str]:
    """The script with one turn of ``host``, near the middle, reworded; returns it and where it was."""
    positions = [
        (s, t)
        for s, segment in enumerate(script.segments)
        for t, turn in enumerate(segment.turns)
        if turn.host == host
    ]
    s, t = positions[len(positions) // 2]
    segment = script.segments[s]
    old = segment.turns[t]
    new = old.model_copy(update={"text": old.text.replace(".", ", as the old logbooks tell us.", 1)})
    turns = (*segment.turns[:t], new, *segment.turns[t + 1 :])
    segments = list(script.segments)
    segments[s] = segment.model_copy(update={"turns": turns})
    return script.model_copy(update={"segments": tuple(segments)}), f"segment {s + 1}, turn {t + 1} ({host})"
