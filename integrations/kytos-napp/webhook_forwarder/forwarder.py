"""Takes events from the controller's listener and sends them on in batches, in order."""

from __future__ import annotations

import asyncio
import logging
import re
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from .event_queue import DropOldestQueue
from .reporter import Reporter
from .serializer import SerializerLimits, serialize_event
from .service_rules import ServiceRules
from .webhook_client import Outcome, WebhookClient, encode_event

log = logging.getLogger(__name__)

#: At most one warning about dropped events per this many seconds (each drop is at DEBUG).
DROP_WARNING_INTERVAL = 10.0
#: How long past its deadline Kytos' shutdown waits for the flush to close its connection.
FLUSH_GRACE_SECONDS = 1.0


@dataclass(frozen=True)
class ForwarderSettings:
    #: Events whose name this matches (from the start, like Kytos' own listeners) are sent.
    name_pattern: str = ".*"
    queue_capacity: int = 100_000
    #: The queue's bound in bytes of serialized events too: a few huge events (a whole topology)
    #: must not take the controller's memory.
    queue_max_bytes: int = 64 * 1024 * 1024
    batch_max_events: int = 100
    #: How long a partial batch waits for more events, in seconds.
    batch_linger: float = 0.05
    #: At Kytos shutdown, how long to keep sending what is queued.
    shutdown_flush_timeout: float = 5.0
    #: The service's GET /filters, learned every ``rules_refresh`` seconds (0: never).
    rules_url: str | None = None
    rules_refresh: float = 30.0
    #: Where the counters are reported (the service's POST …/forwarders/{id}/report), every
    #: ``report_interval`` seconds; None: never.
    report_url: str | None = None
    report_interval: float = 5.0
    limits: SerializerLimits = SerializerLimits()


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


@dataclass(frozen=True)
class QueuedEvent:
    """An event waiting to be sent, already in its JSON form (its size is what the queue bounds)."""

    id: str
    name: str
    body: bytes


@dataclass
class ForwarderStats:
    forwarded: int = 0
    #: Dropped because the queue was full (the service was away too long).
    dropped_queue_full: int = 0
    #: Refused by the service for good (invalid, refused by Kafka).
    rejected: int = 0
    #: Refused by the service as too large (413): counted apart, by event name in ``too_large_by_name``.
    too_large: int = 0
    too_large_by_name: dict[str, int] = field(default_factory=dict)
    #: Still queued when the shutdown flush time ran out.
    dropped_at_shutdown: int = 0
    #: Not sent because they could not be serialized at all.
    unserializable: int = 0
    #: Not serialized nor sent: the service's rules deny them (not counted as dropped).
    filtered_locally: int = 0
    #: Events the controller's listener handed ``offer``, and the time that took on its loop.
    events_seen: int = 0
    loop_ns: int = 0

    @property
    def dropped(self) -> int:
        return (
            self.dropped_queue_full + self.rejected + self.too_large + self.dropped_at_shutdown + self.unserializable
        )


class Forwarder:
    """``offer`` never blocks (the controller's loop calls it per event); ``run`` drains the
    queue in the background, one batch at a time, retrying a batch until the service takes it."""

    def __init__(self, settings: ForwarderSettings, client: WebhookClient) -> None:
        self.settings = settings
        self.client = client
        self.stats = ForwarderStats()
        self._pattern = re.compile(settings.name_pattern)
        self._queue: DropOldestQueue[QueuedEvent] = DropOldestQueue(
            settings.queue_capacity,
            self._dropped_when_full,
            max_bytes=settings.queue_max_bytes,
            size_of=lambda event: len(event.body),
        )
        self.rules = ServiceRules()
        #: New at each start: the service tells a restart (counters from 0) from a report gone wrong.
        self.run = uuid.uuid4().hex
        self.reporter = (
            Reporter(settings.report_url, settings.report_interval, WebhookClient(client.settings), self.report)
            if settings.report_url and settings.report_interval > 0
            else None
        )
        self._task: asyncio.Task[None] | None = None
        self._learning: asyncio.Task[None] | None = None
        self._reporting: asyncio.Task[None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        #: The batch being sent: the oldest events, sent first again at shutdown if need be.
        self._in_flight: list[QueuedEvent] = []
        self._last_drop_warning = 0.0
        self._drops_since_warning = 0

    @property
    def queued(self) -> int:
        return len(self._queue)

    def report(self) -> dict[str, Any]:
        """The counters since this start, as the service's report route takes them."""
        stats = self.stats
        return {
            "run": self.run,
            "forwarded": stats.forwarded,
            "dropped": {
                "queue_full": stats.dropped_queue_full,
                "rejected": stats.rejected,
                "too_large": stats.too_large,
                "shutdown": stats.dropped_at_shutdown,
                "unserializable": stats.unserializable,
            },
            "queue_depth": len(self._queue) + len(self._in_flight),
            "loop_seconds": stats.loop_ns / 1e9,
            "events_seen": stats.events_seen,
            "filtered_locally": stats.filtered_locally,
        }

    def offer(self, event: Any) -> None:
        started = time.perf_counter_ns()
        try:
            self._offer(event)
        finally:
            self.stats.loop_ns += time.perf_counter_ns() - started
            self.stats.events_seen += 1

    def _offer(self, event: Any) -> None:
        if not self._pattern.match(event.name):
            return
        if not self.rules.permits(event.name):
            self.stats.filtered_locally += 1
            return
        try:
            record = serialize_event(event, self.settings.limits)
            queued = QueuedEvent(record["id"], record["name"], encode_event(record))
        except Exception:  # pylint: disable=broad-except
            # A content whose objects raise while being read: counted and logged, never a crash
            # in the controller's listener.
            self.stats.unserializable += 1
            log.exception("event %s (%s) could not be serialized; not sent", event.id, event.name)
            return
        self._queue.put(queued)

    def start(self) -> None:
        """Starts the background sender on the running event loop (the controller's)."""
        self._loop = asyncio.get_running_loop()
        self._task = self._loop.create_task(self._run(), name="webhook_forwarder")
        if not self.rules.can_learn:
            log.warning("google-re2 is not installed: every event is sent for the service to decide")
        elif self.settings.rules_url and self.settings.rules_refresh > 0:
            self._learning = self._loop.create_task(self._learn_rules(), name="webhook_forwarder_rules")
        if self.reporter:
            self._reporting = self._loop.create_task(self.reporter.run(), name="webhook_forwarder_reports")

    async def _learn_rules(self) -> None:
        while True:
            try:
                self.rules.learn(await self.client.fetch(self.settings.rules_url))
            except Exception as error:  # pylint: disable=broad-except
                self.rules.forget(f"cannot read {self.settings.rules_url}: {error!r}")
            await asyncio.sleep(self.settings.rules_refresh)

    async def _run(self) -> None:
        while True:
            await self._queue.wait_not_empty()
            if len(self._queue) < self.settings.batch_max_events:
                await asyncio.sleep(self.settings.batch_linger)
            self._in_flight = self._queue.take(self.settings.batch_max_events)
            try:
                await self._send(self._in_flight, self.client)
            except Exception:  # pylint: disable=broad-except
                # Whatever goes wrong with one batch, the sender goes on with the next: a dead
                # task would leave every later event queued until it is dropped.
                log.exception("sending %d event(s) failed unexpectedly", len(self._in_flight))
                self._drop(self._in_flight, "rejected")
            self._in_flight = []

    def close(self) -> None:
        """Sends what is left (the batch in flight first) within ``shutdown_flush_timeout``,
        then counts the rest as dropped. Kytos-ng calls NApps' shutdown on its event loop's own
        thread and stops the loop right after, so no coroutine scheduled from here would ever
        run: the flush runs on a loop of its own, in a thread this waits for, over a connection of
        its own; the batch in flight may be sent twice (at least once)."""
        deadline = time.monotonic() + self.settings.shutdown_flush_timeout
        for task in (self._task, self._learning, self._reporting):
            if task is None or self._loop is None:
                continue
            if _running_loop() is self._loop:
                # kytosd stops its loop right after this: the tasks will never run again, and
                # asyncio would report each as destroyed while pending. They are done with.
                task.cancel()
                task._log_destroy_pending = False  # pylint: disable=protected-access
            else:
                self._loop.call_soon_threadsafe(task.cancel)
        pending = self._in_flight + self._queue.take(len(self._queue))
        self._in_flight = []
        if pending:
            flushing = threading.Thread(
                target=asyncio.run, args=(self._flush(pending, deadline),), name="webhook_forwarder_flush", daemon=True
            )
            flushing.start()
            # Every request of the flush ends by the deadline; the grace covers closing its connection.
            flushing.join(max(0.0, deadline - time.monotonic()) + FLUSH_GRACE_SECONDS)
            if flushing.is_alive():
                log.error("the shutdown flush did not end in time; Kytos goes on stopping without it")
        if self.reporter:
            # What the flush delivered and what it had to drop, before the forwarder goes silent.
            self.reporter.report_at_shutdown()

    async def _flush(self, pending: list[QueuedEvent], deadline: float) -> None:
        client = WebhookClient(self.client.settings)
        try:
            size = self.settings.batch_max_events
            for start in range(0, len(pending), size):
                if not await self._send(pending[start : start + size], client, deadline):
                    self._drop(pending[start + size :], "shutdown")
                    break
        finally:
            await client.aclose()

    async def _send(self, batch: list[QueuedEvent], client: WebhookClient, deadline: float | None = None) -> bool:
        """False when ``deadline`` passed first; what was not sent of the batch is then counted
        as dropped at shutdown."""
        outcome = await client.deliver([event.body for event in batch], deadline)
        if outcome is Outcome.SPLIT:
            middle = len(batch) // 2
            if not await self._send(batch[:middle], client, deadline):
                self._drop(batch[middle:], "shutdown")
                return False
            return await self._send(batch[middle:], client, deadline)
        if outcome is Outcome.GAVE_UP:
            self._drop(batch, "shutdown")
            return False
        self._settle(batch, outcome)
        return True

    def _settle(self, batch: list[QueuedEvent], outcome: Outcome) -> None:
        if outcome is Outcome.DELIVERED:
            self.stats.forwarded += len(batch)
        elif outcome is Outcome.REJECTED:
            self._drop(batch, "rejected")
        elif outcome is Outcome.TOO_LARGE:
            self._drop(batch, "too_large")

    def _dropped_when_full(self, record: QueuedEvent) -> None:
        self._drop([record], "queue_full")

    def _drop(self, records: list[QueuedEvent], reason: str) -> None:
        if not records:
            return
        if reason == "queue_full":
            self.stats.dropped_queue_full += len(records)
        elif reason == "rejected":
            self.stats.rejected += len(records)
        elif reason == "too_large":
            self.stats.too_large += len(records)
            for record in records:
                by_name = self.stats.too_large_by_name
                by_name[record.name] = by_name.get(record.name, 0) + 1
                log.error(
                    "event %s (%s, %d bytes of JSON) refused as too large; %d %s refused so",
                    record.id, record.name, len(record.body), by_name[record.name], record.name,
                )
        else:
            self.stats.dropped_at_shutdown += len(records)
        for record in records:
            log.debug("dropped event %s (%s): %s", record.id, record.name, reason)
        self._drops_since_warning += len(records)
        now = time.monotonic()
        if reason != "queue_full" or now - self._last_drop_warning >= DROP_WARNING_INTERVAL:
            log.warning(
                "dropped %d event(s) (%s; %d dropped in all so far)",
                self._drops_since_warning, reason, self.stats.dropped,
            )
            self._last_drop_warning = now
            self._drops_since_warning = 0
