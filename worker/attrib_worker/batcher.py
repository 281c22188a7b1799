"""Dynamic batching: requests that arrive together (several attrib threads, several runs)
are merged into one model batch, under a bounded wait and a bound on tokens per batch. One
thread runs every model call, so the model is never entered twice at once.

A batch takes every job already queued, and waits (at most ``max_wait``) only while company
is on its way: a request the server is handling (``expecting``) that has not yet submitted
its job. A lone client that asks one request at a time (a lockstep walk over an answer's
byte positions) therefore never waits, and concurrent clients still share batches."""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Iterator
from concurrent.futures import Future
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Callable


@dataclass
class Job:
    """Items of one kind for one model under one decoding; ``run`` maps a list of items to a
    list of results of the same length."""

    key: tuple[Any, ...]
    items: list[Any]
    tokens: int
    run: Callable[[list[Any]], list[Any]]
    future: Future = field(default_factory=Future)


class Batcher:
    #: Seconds between looks at whether company is still on its way, while a batch waits.
    poll = 0.0002

    def __init__(self, max_wait_seconds: float = 0.005, max_tokens: int = 16384) -> None:
        self.max_wait = max_wait_seconds
        self.max_tokens = max_tokens
        self.jobs: queue.Queue[Job] = queue.Queue()
        self.held: list[Job] = []
        self.batches = 0
        self._lock = threading.Lock()
        self._open = 0  # requests being handled (``expecting``) that have not yet submitted a job
        self._handling = threading.local()  # whether this thread's request is among them
        threading.Thread(target=self._loop, name="attrib-worker-batcher", daemon=True).start()

    def submit(self, key: tuple[Any, ...], items: list[Any], tokens: int, run: Callable[[list[Any]], list[Any]]) -> list[Any]:
        """Runs ``items`` (possibly merged with other jobs of the same key) and returns their results."""
        job = Job(key=key, items=items, tokens=tokens, run=run)
        self.jobs.put(job)
        if getattr(self._handling, "open", False):  # the request has submitted: no longer on its way
            self._handling.open = False
            with self._lock:
                self._open -= 1
        return job.future.result()

    @contextmanager
    def expecting(self) -> Iterator[None]:
        """Marks a request being handled: until it submits its first job (or ends), a batch
        being formed waits for it, at most ``max_wait``."""
        with self._lock:
            self._open += 1
        self._handling.open = True
        try:
            yield
        finally:
            if self._handling.open:
                self._handling.open = False
                with self._lock:
                    self._open -= 1

    def company_coming(self) -> bool:
        """Whether a request being handled has not yet submitted its job."""
        with self._lock:
            return self._open > 0

    def _next(self, timeout: float | None) -> Job | None:
        if self.held:
            return self.held.pop(0)
        try:
            return self.jobs.get(timeout=timeout)
        except queue.Empty:
            return None

    def _loop(self) -> None:
        while True:
            first = self._next(None)
            if first is None:
                continue
            batch = [first]
            tokens = first.tokens
            deadline = time.monotonic() + self.max_wait
            while tokens < self.max_tokens:
                try:
                    job = self.jobs.get_nowait()
                except queue.Empty:
                    left = deadline - time.monotonic()
                    if left <= 0 or not self.company_coming():
                        break
                    try:
                        job = self.jobs.get(timeout=min(left, self.poll))
                    except queue.Empty:
                        continue
                if job.key == first.key and tokens + job.tokens <= self.max_tokens:
                    batch.append(job)
                    tokens += job.tokens
                else:
                    self.held.append(job)
            self._run(batch)

    def _run(self, batch: list[Job]) -> None:
        items = [item for job in batch for item in job.items]
        try:
            results = batch[0].run(items)
        except Exception as error:  # every waiting caller gets the failure as its answer
            for job in batch:
                job.future.set_exception(error)
            return
        self.batches += 1
        start = 0
        for job in batch:
            job.future.set_result(results[start : start + len(job.items)])
            start += len(job.items)
