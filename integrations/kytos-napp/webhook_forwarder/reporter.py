"""Reports the forwarder's counters to the service every few seconds, so that the service
exports them per forwarder and shows one that stopped reporting (a stuck kytosd) as silent."""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from .webhook_client import WebhookClient, describe, encode_event, message_of

log = logging.getLogger(__name__)

#: While reports keep failing, at most one warning per this many seconds.
FAILURE_WARNING_INTERVAL = 60.0
#: The most Kytos' shutdown waits for the last report (and a moment more to close its connection).
LAST_REPORT_SECONDS = 1.0
LAST_REPORT_GRACE_SECONDS = 0.5


class Reporter:
    """A task on the controller's loop: each report is made there, so a loop that is stuck (of_core
    blocked on a full buffer) sends none and the service sees the forwarder go silent. It posts
    over a connection of its own, once per report and never retried (the next report supersedes
    it), so a report that fails or hangs neither loses nor holds back an event."""

    def __init__(
        self, url: str, interval: float, client: WebhookClient, snapshot: Callable[[], dict[str, Any]]
    ) -> None:
        self.url = url
        self.interval = interval
        self.client = client
        self.snapshot = snapshot
        self.sent = 0
        self.failed = 0
        self._failing = False
        self._last_warning = 0.0

    async def run(self) -> None:
        while True:
            await asyncio.sleep(self.interval)
            await self.report()

    async def report(self) -> None:
        await self._post(self.client, time.monotonic() + self.interval, final=False)

    def report_at_shutdown(self) -> None:
        """One last report, the shutdown's drops in it, within LAST_REPORT_SECONDS. Called on the
        controller's loop's thread, which stops right after and waits here meanwhile: it is made
        and posted from a thread with a loop of its own, over a connection of its own, as the
        shutdown flush is."""
        reporting = threading.Thread(
            target=asyncio.run, args=(self._report_once_more(),), name="webhook_forwarder_last_report", daemon=True
        )
        reporting.start()
        reporting.join(LAST_REPORT_SECONDS + LAST_REPORT_GRACE_SECONDS)

    async def _report_once_more(self) -> None:
        client = WebhookClient(self.client.settings)
        try:
            # final: the service forgets this forwarder, so a NApp stopped on purpose (or one whose
            # host, and so its id, changes at each start) does not page as silent.
            await self._post(client, time.monotonic() + min(LAST_REPORT_SECONDS, self.interval), final=True)
        finally:
            await client.aclose()

    async def _post(self, client: WebhookClient, deadline: float, final: bool) -> None:
        # Whatever goes wrong, the task goes on: a dead reporter would page someone for a
        # controller that is fine.
        try:
            body = encode_event({**self.snapshot(), "final": True} if final else self.snapshot())
            answer = await client.post_once(self.url, body, deadline)
            problem = None if 200 <= answer.status < 300 else f"{answer.status} {message_of(answer)}"
        except Exception as error:  # pylint: disable=broad-except
            problem = describe(error)
        if problem is None:
            self.sent += 1
            if self._failing:
                log.info("reports to %s are answered again", self.url)
            self._failing = False
            return
        self.failed += 1
        now = time.monotonic()
        if not self._failing or now - self._last_warning >= FAILURE_WARNING_INTERVAL:
            log.warning("the report to %s failed: %s (events are not affected)", self.url, problem)
            self._last_warning = now
        self._failing = True
