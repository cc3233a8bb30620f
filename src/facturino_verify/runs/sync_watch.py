"""Watching one triggered bank sync: its job on the queue, the worker taking it, what it left.

The app dispatches the job inside the request, so its row (database connection) or payload
(redis connection) exists before the answer; a worker may take it within milliseconds. The
watch therefore starts before the request, on a connection of its own, looks every
``WATCH_SECONDS`` and keeps every job it saw; a look begun after the answer is conclusive.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from typing import Protocol

import httpx

from ..clients import DatabaseClient, RedisClient, featuredb
from ..clients.database import Session
from ..clients.featuredb import QueuedJob
from ..clients.poll import poll
from ..clients.redis import HeldRedis
from ..clients.redisjobs import queued_jobs
from ..config.features import Banking

# How often the sync's job is looked for until it appears (a cheap indexed query or one
# pipelined round trip, for the fraction of a second between the dispatch and the worker).
WATCH_SECONDS = 0.005

JobId = int | str


@dataclass(frozen=True)
class Look:
    """What one look saw, and whether it began after the sync's answer."""

    jobs: list[QueuedJob]  # every new job seen so far, this look's and earlier ones'
    sequence: int  # the last jobs id handed out (database connection; 0 on redis)
    after_answer: bool


class JobWatch(Protocol):
    answered: threading.Event

    def look(self) -> Look: ...

    def done(self, seen: Look) -> bool: ...

    def unseen_ids(self, sequence: int) -> int: ...

    def present(self, ids: Sequence[JobId]) -> list[JobId]: ...


class DatabaseJobs:
    """``jobs`` rows above a mark, accumulated over the looks (a row may be gone by the next)."""

    def __init__(self, db: Session, mark: int, sequence_before: int, queue: str) -> None:
        self.db, self.mark, self.sequence_before, self.queue = db, mark, sequence_before, queue
        self.seen: dict[JobId, QueuedJob] = {}
        self.answered = threading.Event()  # the sync request has returned

    def look(self) -> Look:
        # Read before the query: a look that began before the answer may have missed the
        # sync's row even if the answer arrived while it ran.
        after_answer = self.answered.is_set()
        for job in featuredb.new_jobs(self.db, self.mark):
            self.seen.setdefault(job.id, job)
        sequence = featuredb.jobs_sequence_value(self.db)
        return Look(list(self.seen.values()), sequence, after_answer)

    def done(self, seen: Look) -> bool:
        if any(job.queue == self.queue for job in seen.jobs):
            return True
        # Before the answer, a job something else dispatched may be all that appeared; after
        # it, the sync's row was committed, so a look that saw none means it was already taken.
        return seen.after_answer and (bool(seen.jobs) or seen.sequence > self.sequence_before)

    def unseen_ids(self, sequence: int) -> int:
        """How many ids were handed out whose row no look saw (taken between two looks)."""
        return max(0, sequence - self.sequence_before - len(self.seen))

    def present(self, ids: Sequence[JobId]) -> list[JobId]:
        return [i for i in ids if featuredb.job_exists(self.db, int(i))]


class RedisJobs:
    """Payloads on the configured queues (pending, reserved, delayed) that were not there
    before the trigger, accumulated over the looks."""

    def __init__(self, held: HeldRedis, keys: RedisClient, queues: Sequence[str], queue: str):
        self.held, self.keys, self.queues, self.queue = held, keys, tuple(queues), queue
        self.before = {job.id for job in self._now()}
        self.seen: dict[JobId, QueuedJob] = {}
        self.answered = threading.Event()

    def _now(self) -> list[QueuedJob]:
        return queued_jobs(self.held, self.keys, self.queues)

    def look(self) -> Look:
        after_answer = self.answered.is_set()
        for job in self._now():
            if job.id not in self.before:
                self.seen.setdefault(job.id, job)
        return Look(list(self.seen.values()), 0, after_answer)

    def done(self, seen: Look) -> bool:
        return any(job.queue == self.queue for job in seen.jobs) or seen.after_answer

    def unseen_ids(self, sequence: int) -> int:
        return 0  # Redis hands out no sequence: a job taken between two looks leaves no trace

    def present(self, ids: Sequence[JobId]) -> list[JobId]:
        there = {job.id for job in self._now()}
        return [i for i in ids if i in there]


@dataclass
class WatchedSync:
    """The trigger's answer and what the queue showed."""

    trigger: httpx.Response
    jobs: list[QueuedJob]
    processed_unseen: bool  # no job on the queue seen, but an id was handed out and never seen
    still_queued: bool
    waited_seconds: float


@contextmanager
def job_watch(
    cfg: Banking, postgres: DatabaseClient, redis: RedisClient | None, queues: Sequence[str]
) -> Iterator[JobWatch]:
    """The watch for the environment's queue connection (``[queue] connection``)."""
    with ExitStack() as stack:
        if redis is not None:
            held = stack.enter_context(redis.held(redis.queue_db()))
            yield RedisJobs(held, redis, queues, cfg.queue)
            return
        db = stack.enter_context(postgres.session())
        mark = featuredb.jobs_mark(db).max_id
        yield DatabaseJobs(db, mark, featuredb.jobs_sequence_value(db), cfg.queue)


def watch_sync(watch: JobWatch, trigger: Callable[[], httpx.Response], cfg: Banking) -> WatchedSync:
    """Trigger with the watch running; then wait (deadline, polling) for the job to leave."""
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="sync-watch") as pool:
        watching = pool.submit(
            poll, watch.look, watch.done, cfg.sync_deadline_seconds, WATCH_SECONDS
        )
        try:
            answer = trigger()
        finally:
            watch.answered.set()
        appeared = watching.result()
    jobs = appeared.value.jobs
    ids = [job.id for job in jobs if job.queue == cfg.queue]
    gone = poll(
        lambda: watch.present(ids),
        lambda remaining: not remaining,
        max(0.0, cfg.sync_deadline_seconds - appeared.seconds),
        cfg.poll_interval_seconds,
    )
    return WatchedSync(
        trigger=answer,
        jobs=jobs,
        processed_unseen=not ids and watch.unseen_ids(appeared.value.sequence) > 0,
        still_queued=bool(gone.value),
        waited_seconds=appeared.seconds + gone.seconds,
    )
