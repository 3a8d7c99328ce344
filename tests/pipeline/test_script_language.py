"""A show in another language: prompts name it, podwright's own headings and labels are in it."""

from __future__ import annotations

from podwright.core import Task
from podwright.pipeline.script import ScriptPipeline
from podwright.pipeline.script_files import render_markdown
from podwright.stages.youtube import repair_youtube
from tests.stages.shows import episode, starter_show
from tests.support.scripted_llm import ScriptedLLM


async def test_a_spanish_show_asks_for_spanish_and_heads_its_bookends_in_spanish() -> None:
    show = starter_show().model_copy(update={"language": "es"})
    llm = ScriptedLLM(show.host_ids)
    result = await ScriptPipeline(llm, show).write(episode(topic="¿Por qué el cielo es oscuro?"))
    segments = result.script.segments
    assert (segments[0].title, segments[-1].title) == ("Introducción", "Conclusión")
    assert result.script.language == "es"
    for request in llm.requests:
        if request.task in (Task.RESEARCH, Task.OUTLINE, Task.SEGMENT, Task.SUMMARY, Task.METADATA):
            text = "\n".join(message.content for message in request.messages)
            assert "Spanish, español (`es`)" in text, request.stage
    markdown = render_markdown(result.script)
    assert "## Introducción" in markdown
    if result.script.metadata and result.script.metadata.tags:
        assert "Etiquetas: " in markdown


def test_youtube_description_labels_follow_the_language() -> None:
    chapters = [(0.0, "Inicio"), (30.0, ""), (70.0, "Final")]
    metadata = repair_youtube(
        title="Título", description="Texto.", tags=(), chapters=chapters, duration_s=120, language="es"
    )
    assert "Capítulos:\n0:00 Inicio\n0:30 Parte 2\n1:10 Final" in metadata.description
    english = repair_youtube(title="T", description="D.", tags=(), chapters=chapters, duration_s=120)
    assert "Chapters:\n" in english.description
