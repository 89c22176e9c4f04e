"""Main module of the webhook_forwarder NApp: every Kytos event (or those EVENT_NAME_PATTERN
names) to the kafka-events service's webhook, which publishes them to Kafka."""

import asyncio

from kytos.core import KytosNApp, log, rest
from kytos.core.helpers import alisten_to
from kytos.core.rest_api import JSONResponse, Request

from . import settings
from .config import build_forwarder


class Main(KytosNApp):
    """Listens to every event without blocking the controller: an async listener puts each into
    a bounded queue, and a task on the controller's loop posts them in batches."""

    def setup(self):
        self.forwarder = build_forwarder(settings)
        asyncio.run_coroutine_threadsafe(self._start(), self.controller.loop)
        log.info(f"webhook_forwarder: sending events matching {settings.EVENT_NAME_PATTERN!r} "
                 f"to {settings.WEBHOOK_URL}")
        if reporter := self.forwarder.reporter:
            log.info(f"webhook_forwarder: reporting its counters to {reporter.url} every {reporter.interval:g} s")

    async def _start(self):
        self.forwarder.start()

    def execute(self):
        """Nothing to run periodically: the forwarder's task does the work."""

    @alisten_to(".*")
    async def on_event(self, event):
        """Every event goes through here; the forwarder keeps those the pattern names."""
        self.forwarder.offer(event)

    @rest("v1/stats", methods=["GET"])
    def stats(self, _request: Request) -> JSONResponse:
        """What was sent, what waits, and what was dropped and why."""
        stats = self.forwarder.stats
        return JSONResponse({
            "queued": self.forwarder.queued,
            "forwarded": stats.forwarded,
            "dropped": stats.dropped,
            "dropped_queue_full": stats.dropped_queue_full,
            "rejected": stats.rejected,
            "too_large": stats.too_large,
            "too_large_by_name": stats.too_large_by_name,
            "dropped_at_shutdown": stats.dropped_at_shutdown,
            "unserializable": stats.unserializable,
            "filtered_locally": stats.filtered_locally,
            "rules_known": self.forwarder.rules.known,
            "events_seen": stats.events_seen,
            "loop_seconds": stats.loop_ns / 1e9,
        })

    def shutdown(self):
        """Flushes what is queued, for at most SHUTDOWN_FLUSH_SECONDS, before Kytos goes on
        stopping (it calls this on its event loop's thread; the flush blocks there)."""
        self.forwarder.close()
        stats = self.forwarder.stats
        log.info(f"webhook_forwarder: stopped; {stats.forwarded} forwarded, {stats.dropped} dropped")
