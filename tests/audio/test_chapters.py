from __future__ import annotations

import json

from podwright.audio.chapters import to_podcasting20_json
from podwright.core.timeline import Chapter


def test_podcasting20_chapters_document() -> None:
    chapters = [
        Chapter(index=0, title="Welcome", start_s=0.0, end_s=12.3456),
        Chapter(index=1, title="Mapping", start_s=12.3456, end_s=80.0, image="images/segment-2.png"),
        Chapter(index=2, title="Goodbye", start_s=80.0, end_s=95.5, url="https://example.org/notes"),
    ]
    document = to_podcasting20_json(chapters, title="Following a river")
    assert json.loads(json.dumps(document)) == document
    assert document["version"] == "1.2.0"
    assert document["title"] == "Following a river"
    entries = document["chapters"]
    assert [entry["title"] for entry in entries] == ["Welcome", "Mapping", "Goodbye"]
    assert entries[0] == {"startTime": 0.0, "endTime": 12.346, "title": "Welcome"}
    assert entries[1]["img"] == "images/segment-2.png"
    assert "img" not in entries[2] and entries[2]["url"] == "https://example.org/notes"
    starts = [entry["startTime"] for entry in entries]
    assert starts == sorted(starts)


def test_untitled_document_has_no_title_key() -> None:
    document = to_podcasting20_json([Chapter(index=0, title="Only", start_s=0, end_s=1)])
    assert set(document) == {"version", "chapters"}
