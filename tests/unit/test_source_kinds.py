"""A source is one of two kinds, each held to the method the engine calls."""

from __future__ import annotations

import pytest

from fgtop.engine.core import Engine
from fgtop.sources.base import Part, PollingSource, Source, SourceContext


class Neither(Source):
    """Derived from the base alone: the engine would not know how to run it."""

    name = "neither"


class NoPoll(PollingSource):
    """A polling source that forgot its poll."""

    name = "no-poll"


class Polls(PollingSource):
    name = "polls"

    async def poll(self, ctx: SourceContext) -> Part:
        return {"clusters": ()}


def test_the_engine_refuses_a_source_of_neither_kind() -> None:
    with pytest.raises(
        TypeError, match=r"^neither: a source is a PollingSource or a StreamingSource$"
    ):
        Engine([Polls(), Neither()])


def test_a_source_without_the_method_the_engine_calls_cannot_be_made() -> None:
    # mypy refuses it too, wherever one is made (e.g. engine/build.py for the real sources).
    with pytest.raises(TypeError, match=r"abstract method '?poll"):
        NoPoll()


async def test_a_polling_source_is_polled() -> None:
    engine = Engine([Polls()])
    await engine.poll_once()
    assert engine.snapshot.sources[0].name == "polls" and engine.snapshot.sources[0].answered
