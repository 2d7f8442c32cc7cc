"""Getting every change to the index, exactly, without making anyone wait for it.

1. enqueue() writes an IndexTask row in the same transaction as the change (search.signals),
   so a change that commits always leaves its row, even if the process dies the next instant.
2. After the commit, a background thread in the same process drains the queue, so the admin
   (or the importer) never waits for the index. One drain per process at a time; a process
   that exits waits for its drain first (EXIT_WAIT).
3. drain() holds the inter-process writer lock (search.locking) around each batch, and reads
   the database *after* claiming the rows, inside the lock. Whatever order processes commit
   in, the last write to the index therefore reflects the latest committed state, and a row
   is deleted only once the state it announced has been written.
4. A failed batch keeps its rows with attempts and last_error (logged); they are retried
   after the lease, never dropped. A claim left by a killed drainer expires the same way.

index_now(ids) is the synchronous form for a caller that wants the index current on return
(the importer, once per batch); rebuild() reindexes everything with a progress bar; drift()
compares the database and the index (`index_drift`).
"""

from __future__ import annotations

import atexit
import logging
import os
import socket
import threading
import traceback
import uuid
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db import connections, transaction
from django.db.models import F, Q
from django.utils import timezone

from archive.models import Communique
from search.background import Background
from search.locking import writer_lock
from search.models import IndexTask

logger = logging.getLogger(__name__)

BATCH_SIZE = 200
REBUILD_BATCH_SIZE = 500
# How long a rebuild waits for the index's writer lock: another rebuild or a large import may
# hold it for minutes.
REBUILD_WAIT = 600.0


def lease() -> timedelta:
    """How long a claim (or a failure) holds rows before another drain takes them over."""
    return timedelta(seconds=getattr(settings, "BAYAN_INDEX_LEASE_SECONDS", 120))


# -- Enqueueing -------------------------------------------------------------------------------


def enqueue(ids: int | Iterable[int]) -> None:
    """Queue index updates for these communiqués, in the caller's transaction."""
    ids = {ids} if isinstance(ids, int) else {int(i) for i in ids if i is not None}
    if not ids:
        return
    IndexTask.objects.bulk_create([IndexTask(communique_id=i) for i in sorted(ids)])
    transaction.on_commit(start_background_drain)


def _drain_once() -> None:
    try:
        drain()
    except Exception:  # rows stay queued; the next commit or drain_index retries
        logger.exception("background index drain failed")


# At its end, the thread closes its own database connections.
_drainer = Background("bayan-index", _drain_once, finish=connections.close_all)

# How long a process that exits waits for its drain. The thread is a daemon, so a script or
# `manage.py shell` that saves and exits killed it: its changes waited for another process's
# next commit, and the rows it had claimed for the lease besides.
EXIT_WAIT = 60.0


def deferred() -> AbstractContextManager[None]:
    """No background drains meanwhile (an import drains once at the end); rows still queue."""
    return _drainer.held()


def start_background_drain() -> None:
    """Drain in a daemon thread, unless one is running (then it drains once more)."""
    if settings.BAYAN_INDEX_IN_BACKGROUND:
        # The engine's code loaded first, here: a drain that a process's exit waits for
        # (EXIT_WAIT) cannot load it then, as the index's writer uses concurrent.futures,
        # which refuses to load once the interpreter is shutting down.
        _engine_loaded()
        _drainer.start()


def _engine_loaded() -> None:
    from haystack import connections as haystack_connections

    haystack_connections["default"]


def wait_for_background(timeout: float = 30.0) -> None:
    """Block until this process's background drain, if any, has finished."""
    _drainer.wait(timeout)


atexit.register(wait_for_background, EXIT_WAIT)


# -- Draining ---------------------------------------------------------------------------------


def _worker_name() -> str:
    name = f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}:{uuid.uuid4().hex[:8]}"
    return name[:100]


def _claim(limit: int, communique_ids: Iterable[int] | None = None) -> tuple[str, list]:
    """Claim up to `limit` rows with a conditional UPDATE: a row has one drainer at a time."""
    now = timezone.now()
    claimable = Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - lease())
    rows = IndexTask.objects.filter(claimable)
    if communique_ids is not None:
        rows = rows.filter(communique_id__in=list(communique_ids))
    ids = list(rows.order_by("id").values_list("id", flat=True)[:limit])
    if not ids:
        return "", []
    token = _worker_name()
    # Re-checking the condition in the UPDATE makes the claim safe against a concurrent one.
    IndexTask.objects.filter(claimable, id__in=ids).update(claimed_at=now, claimed_by=token)
    return token, list(IndexTask.objects.filter(claimed_by=token))


def drain(limit: int | None = None, batch_size: int = BATCH_SIZE) -> int:
    """Apply queued updates until the queue is empty (or `limit` rows); returns rows applied."""
    applied = 0
    while limit is None or applied < limit:
        size = batch_size if limit is None else min(batch_size, limit - applied)
        with writer_lock():
            token, rows = _claim(size)
            if not rows:
                break
            applied += _apply_rows(token, rows)
    return applied


def index_now(ids: Iterable[int]) -> int:
    """Bring these communiqués' index entries up to date before returning.

    For a caller that wants the index current at once (the importer, once per batch). Their
    queued rows, if any, are consumed; ids without rows (written with bulk_create or
    update(), which send no signals) are indexed all the same.
    """
    ids = sorted({int(i) for i in ids})
    if not ids:
        return 0
    with writer_lock():
        token, rows = _claim(len(ids) * 50 + BATCH_SIZE, communique_ids=ids)
        _apply(ids)  # may raise: the claimed rows then stay and are retried after the lease
        if rows:
            IndexTask.objects.filter(id__in=[r.id for r in rows], claimed_by=token).delete()
    return len(ids)


def _apply_rows(token: str, rows: list[IndexTask]) -> int:
    by_communique: dict[int, list[IndexTask]] = {}
    for row in rows:
        by_communique.setdefault(row.communique_id, []).append(row)
    try:
        _apply(list(by_communique))
        done = rows
    except Exception:
        logger.exception("index update failed for %d communiqués; isolating", len(by_communique))
        done = []
        # One bad document must not hold the others back: retry each alone.
        for communique_id, its_rows in by_communique.items():
            try:
                _apply([communique_id])
                done.extend(its_rows)
            except Exception as error:
                _record_failure(its_rows, error)
    IndexTask.objects.filter(id__in=[r.id for r in done], claimed_by=token).delete()
    return len(done)


def _record_failure(rows: list[IndexTask], error: Exception) -> None:
    message = "".join(traceback.format_exception_only(type(error), error)).strip()[:2000]
    logger.error("index update failed for communiqué %s: %s", rows[0].communique_id, message)
    # claimed_at stays set: the rows wait out the lease before a retry, so a document that
    # fails every time cannot keep a drainer spinning.
    IndexTask.objects.filter(id__in=[r.id for r in rows]).update(
        attempts=F("attempts") + 1, last_error=message, claimed_by="failed"
    )


def _apply(ids: list[int]) -> None:
    """Write the current database state of these communiqués to the index."""
    published = _load(ids)
    present = {c.pk for c in published}
    write(published, [i for i in ids if i not in present])


def _engine():
    from haystack import connections as haystack_connections

    connection = haystack_connections["default"]
    return connection.get_backend(), connection.get_unified_index().get_index(Communique)


def identifier(pk: int) -> str:
    return f"archive.communique.{pk}"


def write(objects: list[Communique], remove_pks: list[int]) -> None:
    """Index `objects` and remove `remove_pks`: in one commit where the engine allows it."""
    backend, index = _engine()
    removals = [identifier(pk) for pk in remove_pks]
    if hasattr(backend, "apply"):  # search.backend (Whoosh): one writer for both
        backend.apply(index, objects, removals)
        return
    if objects:
        backend.update(index, objects)
    for removal in removals:
        backend.remove(removal)


# -- Rebuild and drift ------------------------------------------------------------------------


def _published_ids() -> list[int]:
    return list(Communique.objects.published().order_by("pk").values_list("pk", flat=True))


def _chunks(ids: list[int], size: int) -> Iterator[list[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def rebuild(
    progress: bool = True,
    batch_size: int = REBUILD_BATCH_SIZE,
    stream=None,
    wait: float = REBUILD_WAIT,
) -> int:
    """Index every published communiqué anew, replacing the whole index in one commit. Waits
    up to `wait` seconds for another writer of the index (search.locking.IndexBusy)."""
    from tqdm import tqdm

    backend, index = _engine()
    with writer_lock(wait):
        ids = _published_ids()
        bar = tqdm(total=len(ids), unit="doc", disable=not progress, file=stream)
        if hasattr(backend, "rebuild"):  # search.backend (Whoosh): new segments, one commit
            backend.rebuild(index, ids, _load, bar.update, batch_size)
        else:
            backend.clear()
            for chunk in _chunks(ids, batch_size):
                write(_load(chunk), [])
                bar.update(len(chunk))
        bar.close()
    return len(ids)


# Records read per query: SQLite turns a prefetch of more than ~1,000 related ids into an OR
# chain deeper than it allows ("Expression tree is too large"), which 500 communiqués reach.
LOAD_CHUNK = 200


def _load(ids: list[int]) -> list[Communique]:
    objects: list[Communique] = []
    for chunk in _chunks(ids, LOAD_CHUNK):
        objects += Communique.objects.published().for_index().filter(pk__in=chunk)
    return objects


@dataclass
class Drift:
    missing: list[int] = field(default_factory=list)  # published, not in the index
    stale: list[int] = field(default_factory=list)  # in the index with outdated content
    extra: list[int] = field(default_factory=list)  # in the index, not published

    @property
    def total(self) -> int:
        return len(self.missing) + len(self.stale) + len(self.extra)


def indexed_fingerprints() -> dict[int, str]:
    backend, _ = _engine()
    if hasattr(backend, "stored_documents"):
        return {
            int(pk): values.get("fingerprint") or ""
            for pk, values in backend.stored_documents(["fingerprint"])
        }
    # Another engine: page through everything it holds.
    from haystack.query import SearchQuerySet

    found: dict[int, str] = {}
    start = 0
    while True:
        chunk = list(SearchQuerySet().order_by("django_id")[start : start + 1000])
        found.update({int(r.pk): getattr(r, "fingerprint", "") or "" for r in chunk if r})
        if len(chunk) < 1000:
            return found
        start += 1000


def drift(batch_size: int = REBUILD_BATCH_SIZE) -> Drift:
    """What differs between the published communiqués and the index."""
    _, index = _engine()
    indexed = indexed_fingerprints()
    result = Drift()
    ids = _published_ids()
    for chunk in _chunks(ids, batch_size):
        for c in _load(chunk):
            if c.pk not in indexed:
                result.missing.append(c.pk)
            elif index.full_prepare(c).get("fingerprint") != indexed[c.pk]:
                result.stale.append(c.pk)
    result.extra = sorted(set(indexed) - set(ids))
    return result


def repair(found: Drift) -> int:
    """Queue and apply what drift() found; returns how many communiqués were fixed."""
    ids = [*found.missing, *found.stale, *found.extra]
    if ids:
        with transaction.atomic():
            enqueue(ids)
        drain()
    return len(ids)
