"""Task definitions cached on disk across launches: immutable by ARN, so fetched once ever.

One small JSON file per ARN (the describe_task_definition document) in
``<user cache>/taskdefs/``. Writes go to a temporary file in the same folder and are renamed
into place, so concurrent fgtop processes never see half a file (the last writer of the same
immutable document wins). A file that cannot be read or parsed is deleted and the task
definition fetched again: never fatal. Bounded: reading an entry touches it, and after
writes the least recently used entries go until both the entry count and the total size are
under their caps.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from pathlib import Path

from fgtop.paths import cache_dir

MAX_ENTRIES = 5000
"""Task definitions kept."""
MAX_BYTES = 64 * 1024 * 1024
"""Total size kept (a task definition document is typically 2-20 KB)."""


class TaskDefCache:
    """A folder of immutable documents keyed by ARN: task definitions (and, by subclassing,
    anything else immutable: service revisions).

    Args:
        folder: Where the entries live; None means ``<user cache>/taskdefs`` (and
            ``<user cache>/taskdefs/<account>`` for an account's).
        max_entries: Entries kept (least recently used go first).
        max_bytes: Total bytes kept.
        account: The account whose task definitions these are: each account has its own
            folder, so what one account's credentials read is never served to another's.
    """

    subdir = "taskdefs"
    """The folder's name under the user cache."""
    doc_key = "taskDefinition"
    """The document's key in an entry file (as the describe call answers it)."""
    arn_field = "taskDefinitionArn"
    """The document's own ARN field (an entry whose document names another ARN is corrupt)."""

    def __init__(
        self,
        folder: Path | None = None,
        max_entries: int = MAX_ENTRIES,
        max_bytes: int = MAX_BYTES,
        *,
        account: str | None = None,
    ) -> None:
        if folder is None:
            folder = cache_dir() / self.subdir
            if account:
                folder = folder / account
        self.folder = folder
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self.hits = 0
        self.misses = 0
        self.corrupt = 0
        """Entries found unreadable (deleted, fetched again)."""

    def _path(self, arn: str) -> Path:
        return self.folder / (hashlib.sha256(arn.encode()).hexdigest()[:40] + ".json")

    def get(self, arn: str) -> dict | None:
        """The cached document of ``arn``, or None (missing, or corrupt and now deleted)."""
        path = self._path(arn)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            self.misses += 1
            return None
        except (OSError, ValueError):
            data = None
        doc = data.get(self.doc_key) if isinstance(data, dict) else None
        if (
            not isinstance(data, dict)
            or data.get("arn") != arn
            or not isinstance(doc, dict)
            or doc.get(self.arn_field) != arn
        ):
            self.corrupt += 1
            self.misses += 1
            with contextlib.suppress(OSError):
                path.unlink()
            return None
        with contextlib.suppress(OSError):
            os.utime(path)  # recently used
        self.hits += 1
        return doc

    def put(self, arn: str, doc: dict) -> None:
        """Store a document (JSON-able); failures to write are ignored (it is a cache)."""
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=".tmp-", suffix=".json")
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as f:
                    json.dump({"arn": arn, self.doc_key: doc}, f)
                os.replace(tmp, self._path(arn))
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
                raise
        except OSError:
            return

    def prune(self) -> int:
        """Delete least recently used entries over the caps; how many went."""
        entries = []
        try:
            for path in self.folder.glob("*.json"):
                with contextlib.suppress(OSError):
                    st = path.stat()
                    entries.append((st.st_mtime, st.st_size, path))
        except OSError:
            return 0
        entries.sort(reverse=True)  # newest first
        total, kept, removed = 0, 0, 0
        for _mtime, size, path in entries:
            if kept < self.max_entries and total + size <= self.max_bytes:
                kept += 1
                total += size
                continue
            with contextlib.suppress(OSError):
                path.unlink()
                removed += 1
        return removed


class RevisionCache(TaskDefCache):
    """ECS service revisions on disk (``DescribeServiceRevisions`` documents): immutable by
    ARN like task definitions, so described once ever."""

    subdir = "service-revisions"
    doc_key = "serviceRevision"
    arn_field = "serviceRevisionArn"
