"""Posts batches of serialized events to the kafka-events webhook, signed, over one kept-alive
connection, retrying what another attempt can fix."""

from __future__ import annotations

import asyncio
import enum
import hashlib
import hmac
import json
import logging
import random
import time
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

log = logging.getLogger(__name__)

#: Answers another attempt may fix: the service is busy, down, or (401/403) waiting for an
#: operator to fix a secret; the bounded queue keeps memory in check meanwhile.
RETRIED_STATUSES = {401, 403, 408, 425, 429, 500, 502, 503, 504}


class Outcome(enum.Enum):
    DELIVERED = "delivered"
    #: The service refused the batch for good (400, 413 for one event, 415...): not retried.
    REJECTED = "rejected"
    #: 413 for a batch of several events: the caller splits it and sends the halves.
    TOO_LARGE = "too_large"
    #: The deadline passed before the service took it (only at shutdown).
    GAVE_UP = "gave_up"


@dataclass(frozen=True)
class RetrySettings:
    initial_delay: float = 0.2
    max_delay: float = 10.0
    #: A Retry-After longer than this is shortened to it.
    max_retry_after: float = 60.0


@dataclass(frozen=True)
class WebhookSettings:
    url: str
    #: HMAC-SHA256 shared secret (AUTH_WEBHOOK_SECRET of the service), or ...
    secret: str | None = None
    #: ... a bearer token (AUTH_WEBHOOK_TOKEN of the service).
    token: str | None = None
    request_timeout: float = 10.0
    retry: RetrySettings = RetrySettings()


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The service's scheme: HMAC-SHA256 of ``<timestamp>.<raw body>``, as ``sha256=<hex>``."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


class WebhookClient:
    def __init__(self, settings: WebhookSettings, transport: httpx.AsyncBaseTransport | None = None):
        self.settings = settings
        # One connection, kept alive: batches go one at a time and in order.
        self._http = httpx.AsyncClient(
            timeout=settings.request_timeout,
            limits=httpx.Limits(max_connections=1, max_keepalive_connections=1),
            transport=transport,
        )

    async def aclose(self) -> None:
        await self._http.aclose()

    async def deliver(self, events: list[dict[str, Any]], deadline: float | None = None) -> Outcome:
        """Posts ``events`` as one batch until the service takes it, refuses it for good, or
        ``deadline`` (a ``time.monotonic()`` value) passes."""
        body = json.dumps(events, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode()
        attempt = 0
        while True:
            outcome, wait = await self._attempt(body, len(events))
            if outcome is not None:
                return outcome
            delay = max(wait, self._backoff(attempt))
            attempt += 1
            if deadline is not None and time.monotonic() + delay > deadline:
                return Outcome.GAVE_UP
            await asyncio.sleep(delay)

    async def _attempt(self, body: bytes, count: int) -> tuple[Outcome | None, float]:
        """An outcome, or None and the Retry-After the service asked for (0 if none)."""
        try:
            response = await self._http.post(self.settings.url, content=body, headers=self._headers(body))
        except httpx.HTTPError as error:
            log.warning("posting %d event(s) failed: %s; will retry", count, _describe(error))
            return None, 0.0
        if response.is_success:
            return Outcome.DELIVERED, 0.0
        message = _message_of(response)
        if response.status_code in RETRIED_STATUSES:
            log.warning("the service answered %d (%s) to %d event(s); will retry",
                        response.status_code, message, count)
            return None, self._retry_after(response)
        if response.status_code == 413 and count > 1:
            return Outcome.TOO_LARGE, 0.0
        log.error("the service refused %d event(s) for good: %d %s", count, response.status_code, message)
        return Outcome.REJECTED, 0.0

    def _headers(self, body: bytes) -> dict[str, str]:
        headers = {"content-type": "application/json"}
        if self.settings.secret:
            timestamp = str(int(time.time()))
            headers["x-kytos-timestamp"] = timestamp
            headers["x-kytos-signature"] = sign(self.settings.secret, timestamp, body)
        elif self.settings.token:
            headers["authorization"] = f"Bearer {self.settings.token}"
        return headers

    def _backoff(self, attempt: int) -> float:
        """Exponential with equal jitter: half fixed, half random, so senders spread out."""
        retry = self.settings.retry
        ceiling = min(retry.max_delay, retry.initial_delay * 2 ** min(attempt, 30))
        return ceiling / 2 + random.uniform(0, ceiling / 2)

    def _retry_after(self, response: httpx.Response) -> float:
        value = response.headers.get("retry-after", "").strip()
        seconds = 0.0
        if value.isdigit():
            seconds = float(value)
        elif value:
            try:
                seconds = parsedate_to_datetime(value).timestamp() - time.time()
            except (TypeError, ValueError):
                seconds = 0.0
        return min(max(seconds, 0.0), self.settings.retry.max_retry_after)


def _message_of(response: httpx.Response) -> str:
    try:
        message = response.json().get("message")
    except (ValueError, AttributeError):
        message = None
    return str(message if message is not None else response.text[:200])


def _describe(error: httpx.HTTPError) -> str:
    return f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
