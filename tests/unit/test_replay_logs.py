"""What the replay's log feed says when nothing shows (the bundled demo recording)."""

from __future__ import annotations

from fgtop.feed import LogRequest
from fgtop.recording.player import Player
from fgtop.recording.reader import open_recording
from fgtop.recording.replay_feed import ReplayLogFeed
from fgtop.resources import demo_recording


async def first_batch(container: str | None):  # noqa: ANN201
    rec = open_recording(demo_recording())
    player = Player(rec, loop=False)
    player.seek(rec.start + 20 * 60)
    snapshot = player.current
    task = next(t for t in snapshot.tasks if t.service == "shop-recs" and len(t.containers) > 1)
    stream = ReplayLogFeed(rec, player).lines(
        LogRequest(snapshot, tasks=(task,), container=container)
    )
    try:
        return await anext(stream)
    finally:
        await stream.aclose()
        rec.close()


async def test_a_container_without_lines_is_named_and_the_others_counted() -> None:
    everything = await first_batch(None)
    assert everything.lines and {ln.container for ln in everything.lines} == {"shop-recs"}
    batch = await first_batch("otel-collector")  # the sidecar logged nothing
    assert not batch.lines
    assert batch.message == (
        "no lines from container otel-collector recorded up to the replay clock "
        f"({len(everything.lines):,} from the other containers: c picks another)"
    )


async def test_a_hostile_container_name_reaches_the_message_cleaned() -> None:
    batch = await first_batch("evil\x1b]52;c;aGk=\x07")
    assert batch.message is not None and "\x1b" not in batch.message
    assert "no lines from container evil" in batch.message
