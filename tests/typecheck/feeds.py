"""Every feed satisfies the protocol the UI is written against (checked by mypy, never run).

Each function takes an implementation and returns it as its protocol: mypy fails here, naming
the member, when one stops satisfying it (a settable attribute where the protocol reads a
property is fine; a missing member, a wrong type or a changed signature is not).
"""

from __future__ import annotations

from fgtop.engine.live_feed import LiveFeed
from fgtop.engine.live_insights import LiveInsightsFeed
from fgtop.engine.live_logs import LiveLogFeed
from fgtop.feed import Feed, InsightsFeed, LogFeed, NoInsights, NoLogs
from fgtop.recording.follow import FollowFeed
from fgtop.recording.replay_feed import ReplayFeed, ReplayLogFeed


def live_feed(feed: LiveFeed) -> Feed:
    """The live engine's feed."""
    return feed


def replay_feed(feed: ReplayFeed) -> Feed:
    """A recording's feed (``fgtop replay``, ``fgtop demo``)."""
    return feed


def follow_feed(feed: FollowFeed) -> Feed:
    """A recording being written (``fgtop replay --follow``)."""
    return feed


def live_logs(logs: LiveLogFeed) -> LogFeed:
    """CloudWatch Logs and Kubernetes tails."""
    return logs


def replay_logs(logs: ReplayLogFeed) -> LogFeed:
    """Recorded lines up to the replay clock."""
    return logs


def no_logs(logs: NoLogs) -> LogFeed:
    """A feed without log lines."""
    return logs


def live_insights(insights: LiveInsightsFeed) -> InsightsFeed:
    """Logs Insights queries against CloudWatch."""
    return insights


def no_insights(insights: NoInsights) -> InsightsFeed:
    """Where Logs Insights cannot run."""
    return insights
