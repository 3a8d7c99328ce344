"""Ten fixed topics for the quality benchmark, each with a research brief and a three-part plan.

The plans follow the starter show's template (setup → deep dive → takeaways), so the benchmark can
answer research and outline itself and spend the model's time only on the dialogue it measures.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["TOPICS", "Topic"]


@dataclass(frozen=True)
class Topic:
    """One benchmark episode: the topic, its brief and, per template step, a title and key points."""

    topic: str
    summary: str
    facts: tuple[str, ...]
    segments: tuple[tuple[str, tuple[str, ...]], ...]


TOPICS = (
    Topic(
        "Why the night sky is dark: Olbers' paradox",
        "An infinite, eternal universe full of stars would make every line of sight end on a star; "
        "the sky is dark because the universe has a finite age and is expanding.",
        ("Light travels at a finite speed.", "The universe is about 13.8 billion years old."),
        (
            ("The paradox", ("every line of sight should end on a star", "the forest analogy")),
            ("Finite age and expansion", ("light from far away has not arrived", "redshift dims it")),
            ("What the dark sky tells us", ("the darkness is evidence of a beginning",)),
        ),
    ),
    Topic(
        "Why bread goes stale",
        "Stale bread is not mainly dry bread: its starch recrystallizes after baking, which makes "
        "the crumb firm; warming it reverses part of that.",
        ("Starch retrogradation starts as soon as bread cools.", "Fridges speed staling up."),
        (
            ("Stale is not dry", ("the crumb firms even when sealed",)),
            ("Starch crystals", ("gelatinized starch re-forms crystals", "cold speeds it up")),
            ("Keeping bread fresh", ("freeze, do not refrigerate", "toast reverses staling")),
        ),
    ),
    Topic(
        "How noise-cancelling headphones work",
        "Microphones hear incoming sound and the headphones play an inverted copy, so the two "
        "waves cancel; it works best on steady low-frequency noise.",
        ("Cancellation relies on destructive interference.", "Fast, irregular sounds are hard to cancel."),
        (
            ("Silence from sound", ("adding sound to remove sound",)),
            ("Anti-noise", ("microphones and inverted waves", "why low hums cancel best")),
            ("Where it fails", ("voices and clicks leak through", "passive padding still matters")),
        ),
    ),
    Topic(
        "Why we have leap years",
        "A year is about 365.2422 days, so the calendar adds a day every four years and skips "
        "three of those days every four centuries to stay aligned with the seasons.",
        ("The Julian calendar drifted by about 11 minutes a year.", "1900 was not a leap year; 2000 was."),
        (
            ("A year is not whole", ("365 days and a quarter, almost",)),
            ("The Gregorian fix", ("every fourth year", "except most century years")),
            ("Living with the rule", ("the calendar drifts less than a day in 3,000 years",)),
        ),
    ),
    Topic(
        "How vaccines train the immune system",
        "A vaccine shows the immune system a harmless piece or version of a germ, so it builds "
        "memory cells and answers faster when the real germ arrives.",
        ("Memory B and T cells can last for decades.", "Some vaccines need boosters as memory fades."),
        (
            ("A rehearsal", ("meeting a germ without the illness",)),
            ("Building memory", ("antibodies and memory cells", "why boosters help")),
            ("Herd protection", ("protecting those who cannot be vaccinated",)),
        ),
    ),
    Topic(
        "Why the sea is salty",
        "Rain weathers rocks and rivers carry dissolved salts to the sea; evaporation removes the "
        "water but leaves the salt, so it has built up over millions of years.",
        ("Seawater is about 3.5% salt by weight.", "Hydrothermal vents also add minerals."),
        (
            ("Rivers are not salty", ("so where does the salt come from",)),
            ("Rock, rain and rivers", ("weathering releases ions", "evaporation leaves salt behind")),
            ("A balanced sea", ("salt also leaves the sea in sediments",)),
        ),
    ),
    Topic(
        "How GPS knows where you are",
        "GPS satellites broadcast precise time signals; a receiver measures how long signals from "
        "at least four satellites took to arrive and works out its position from those distances.",
        (
            "Each satellite carries atomic clocks.",
            "Relativity shifts the clocks by about 38 microseconds a day.",
        ),
        (
            ("Listening to clocks in the sky", ("your phone only listens",)),
            ("Distances from time", ("four satellites fix position and time", "trilateration")),
            ("Why relativity matters", ("uncorrected clocks would drift kilometres a day",)),
        ),
    ),
    Topic(
        "Why cats purr",
        "Cats purr by rapidly twitching the muscles of the larynx; they purr when content but also "
        "when stressed or hurt, and the low frequencies may help healing.",
        ("Purring runs at about 25 to 150 hertz.", "Kittens purr while nursing."),
        (
            ("Not just happiness", ("purring when hurt or stressed",)),
            ("The mechanism", ("larynx muscles twitching", "purring on the in- and out-breath")),
            ("What the purr may do", ("calming signals", "a possible healing effect")),
        ),
    ),
    Topic(
        "How compound interest grows money",
        "With compound interest, interest earns interest, so growth speeds up over time; the rule "
        "of 72 estimates how many years it takes to double.",
        ("At 6% a year money doubles in about 12 years.", "Starting early matters more than amount."),
        (
            ("Interest on interest", ("a snowball rolling downhill",)),
            ("The maths of doubling", ("the rule of 72", "a worked example")),
            ("Time is the ingredient", ("starting ten years earlier", "debt compounds too")),
        ),
    ),
    Topic(
        "Why leaves change colour in autumn",
        "Leaves are green from chlorophyll; in autumn trees stop making it, revealing yellow "
        "carotenoids, and some trees make red anthocyanins in the sugary leaves.",
        ("Shorter days trigger the change.", "Sunny days and cool nights give the brightest reds."),
        (
            ("The colours were hiding", ("chlorophyll masks yellow pigments",)),
            ("Shutting down for winter", ("days shorten", "the tree reclaims nutrients")),
            ("Reading the reds", ("anthocyanins need sugar and sun",)),
        ),
    ),
)
