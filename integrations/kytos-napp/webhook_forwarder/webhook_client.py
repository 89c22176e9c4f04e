"""Posts batches of serialized events to the kafka-events webhook, signed, over one kept-alive
connection, retrying what another attempt can fix."""

from __future__ import annotations

import asyncio
import base64
import enum
import gzip
import hashlib
import hmac
import itertools
import json
import logging
import random
import time
import uuid
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

log = logging.getLogger(__name__)

#: Answers another attempt may fix: the service is busy, down, or (401/403) waiting for an
#: operator to fix a secret; the bounded queue keeps memory in check meanwhile. A 502 is retried
#: only when it is not the service's own (a proxy in front of a service that is away).
RETRIED_STATUSES = {401, 403, 408, 425, 429, 500, 502, 503, 504}
#: At most this much of an answer to a batch is read (the service's are small JSON objects); the
#: rest is left unread and the connection closed.
ANSWER_MAX_BYTES = 64 * 1024
#: At most this much of the service's rules (GET /filters); a larger answer is not learned.
RULES_MAX_BYTES = 4 * 1024 * 1024
#: At most this many characters of an answer go into a log line.
LOGGED_ANSWER_CHARS = 300
#: The service's answers that blame something in the batch: 400 an invalid event, 413 one too
#: large, 502 an event Kafka refused for good. A batch of several is split to find it.
SPLIT_STATUSES = {400, 413, 502}


class Outcome(enum.Enum):
    DELIVERED = "delivered"
    #: The service refused the batch for good (400, 502 for one event, 415...): not retried.
    REJECTED = "rejected"
    #: 413 for one event: larger than a limit of the service or of its Kafka topic. Not retried,
    #: and counted apart: it is the network's biggest state, not a bad event.
    TOO_LARGE = "too_large"
    #: The service's 400 or 502, or any 413 (a proxy's too), for a batch of several events: the
    #: caller splits it and sends the halves, so that only the event at fault is refused.
    SPLIT = "split"
    #: The deadline passed before the service took it (only at shutdown).
    GAVE_UP = "gave_up"


@dataclass(frozen=True)
class Answer:
    """What the service answered, its body read up to a cap."""

    status: int
    headers: httpx.Headers
    body: bytes
    #: The body was longer than the cap: ``body`` is its beginning.
    truncated: bool


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
    #: ... applied in this scheme (see SIGNATURE_SCHEMES).
    signature_scheme: str = "kytos"
    #: ... a bearer token (AUTH_WEBHOOK_TOKEN of the service).
    token: str | None = None
    request_timeout: float = 10.0
    retry: RetrySettings = RetrySettings()


#: "kytos": X-Kytos-Timestamp and X-Kytos-Signature; "standard": Standard Webhooks.
SIGNATURE_SCHEMES = ("kytos", "standard")


def sign_standard(secret: str, message_id: str, timestamp: str, body: bytes) -> str:
    """Standard Webhooks: ``v1,`` + base64 HMAC-SHA256 of ``<id>.<timestamp>.<raw body>``.

    A ``whsec_`` secret is the base64 of the key; any other is used as its UTF-8 bytes, as the
    service does.
    """
    key = base64.b64decode(secret[len("whsec_") :]) if secret.startswith("whsec_") else secret.encode()
    mac = hmac.new(key, f"{message_id}.{timestamp}.".encode() + body, hashlib.sha256)
    return "v1," + base64.b64encode(mac.digest()).decode()


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The service's scheme: HMAC-SHA256 of ``<timestamp>.<raw body>``, as ``sha256=<hex>``."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


class WebhookClient:
    def __init__(self, settings: WebhookSettings):
        self.settings = settings
        # One connection, kept alive: batches go one at a time and in order.
        self._http = httpx.AsyncClient(
            timeout=settings.request_timeout,
            limits=httpx.Limits(max_connections=1, max_keepalive_connections=1),
        )

    async def aclose(self) -> None:
        await self._http.aclose()

    async def deliver(self, events: list[bytes], deadline: float | None = None) -> Outcome:
        """Posts ``events`` (each in its JSON form, see ``encode_event``) as one batch until the
        service takes it, refuses it for good, or ``deadline`` (a ``time.monotonic()`` value)
        passes. Each attempt, answer included, ends within ``request_timeout``."""
        raw = _body(events)
        # Off the controller's event loop: a topology or a flow table takes tens of ms to gzip.
        body, encoding = await asyncio.to_thread(_encoded, raw) if len(raw) >= GZIP_FROM_BYTES else (raw, {})
        for attempt in itertools.count():
            try:
                headers = {**self._headers(body), **encoding}
                result: Answer | Exception = await self._exchange(
                    "POST", ANSWER_MAX_BYTES, deadline, content=body, headers=headers
                )
            except (httpx.HTTPError, TimeoutError) as error:
                result = error
            step = self._after(attempt, result, len(events), deadline)
            if isinstance(step, Outcome):
                return step
            await asyncio.sleep(step)
        raise AssertionError("unreachable")

    async def post_once(self, url: str, body: bytes, deadline: float) -> Answer:
        """POSTs ``body`` (JSON) to ``url``, signed as a batch is, once: no retry."""
        return await self._exchange(
            "POST", ANSWER_MAX_BYTES, deadline, url=url, content=body, headers=self._headers(body)
        )

    async def fetch(self, url: str) -> Any:
        """GETs ``url`` from the service (with the bearer token, if any) and returns its JSON."""
        headers = {"authorization": f"Bearer {self.settings.token}"} if self.settings.token else {}
        answer = await self._exchange("GET", RULES_MAX_BYTES, None, url=url, headers=headers)
        if not 200 <= answer.status < 300:
            raise ValueError(f"{answer.status} {message_of(answer)}")
        if answer.truncated:
            raise ValueError(f"an answer larger than {RULES_MAX_BYTES} bytes")
        # Off the loop: an answer of many rules takes a while to parse.
        return await asyncio.to_thread(json.loads, answer.body)

    async def _exchange(self, method: str, cap: int, deadline: float | None, **request: Any) -> Answer:
        """One request and at most ``cap`` bytes of its answer, all within ``request_timeout``
        (and before ``deadline``): httpx's own timeouts bound each read, not the whole, so an
        answer trickling a byte at a time would hold the sender for ever."""
        budget = self.settings.request_timeout
        if deadline is not None:
            budget = max(0.0, min(budget, deadline - time.monotonic()))
        # The answer is read as sent, so that its size on the wire is what the cap bounds.
        request["headers"] = {**request["headers"], "accept-encoding": "identity"}
        request.setdefault("url", self.settings.url)
        body = bytearray()
        try:
            async with asyncio.timeout(budget), self._http.stream(method, **request) as response:
                async for chunk in response.aiter_raw():
                    body += chunk[: cap + 1 - len(body)]
                    if len(body) > cap:
                        break
        except TimeoutError as error:
            raise TimeoutError(f"no whole answer within {budget:.3g} s") from error
        return Answer(response.status_code, response.headers, bytes(body[:cap]), len(body) > cap)

    def _after(
        self, attempt: int, result: Answer | Exception, count: int, deadline: float | None
    ) -> Outcome | float:
        """What an attempt came to: an outcome, or the seconds to wait before the next one."""
        if isinstance(result, Exception):
            log.warning("posting %d event(s) failed: %s; will retry", count, describe(result))
            outcome, wait = None, 0.0
        else:
            outcome, wait = self._judge(result, count)
        if outcome is not None:
            return outcome
        delay = max(wait, self._backoff(attempt))
        if deadline is not None and time.monotonic() + delay > deadline:
            return Outcome.GAVE_UP
        return delay

    def _judge(self, answer: Answer, count: int) -> tuple[Outcome | None, float]:
        """An outcome, or None and the Retry-After the service asked for (0 if none)."""
        status = answer.status
        if 200 <= status < 300:
            return Outcome.DELIVERED, 0.0
        message = message_of(answer)
        ours = _is_service_error(answer)
        # Any 413 splits, a proxy's too (its body limit is not the service's): halves get under it.
        if count > 1 and (status == 413 or (status in SPLIT_STATUSES and ours)):
            return Outcome.SPLIT, 0.0
        if status in RETRIED_STATUSES and not (status == 502 and ours):
            log.warning("the service answered %d (%s) to %d event(s); will retry", status, message, count)
            return None, self._retry_after(answer)
        log.error("the service refused %d event(s) for good: %d %s", count, status, message)
        return (Outcome.TOO_LARGE if status == 413 else Outcome.REJECTED), 0.0

    def _headers(self, body: bytes) -> dict[str, str]:
        headers = {"content-type": "application/json"}
        if self.settings.secret and self.settings.signature_scheme == "standard":
            timestamp = str(int(time.time()))
            # Each attempt is its own message: a retry gets a new id and timestamp, and the
            # service recognises the events themselves by their ids.
            message_id = f"msg_{uuid.uuid4().hex}"
            headers["webhook-id"] = message_id
            headers["webhook-timestamp"] = timestamp
            headers["webhook-signature"] = sign_standard(self.settings.secret, message_id, timestamp, body)
        elif self.settings.secret:
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

    def _retry_after(self, answer: Answer) -> float:
        value = answer.headers.get("retry-after", "").strip()
        seconds = 0.0
        if value.isdigit():
            seconds = float(value)
        elif value:
            try:
                seconds = parsedate_to_datetime(value).timestamp() - time.time()
            except (TypeError, ValueError):
                seconds = 0.0
        return min(max(seconds, 0.0), self.settings.retry.max_retry_after)


def encode_event(event: dict[str, Any]) -> bytes:
    """One serialized event as JSON, the way batches carry it."""
    return json.dumps(event, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode()


def _body(events: list[bytes]) -> bytes:
    return b"[" + b",".join(events) + b"]"


#: Bodies from this size on are sent gzipped: Kytos' events are repetitive JSON (a flow table, a
#: topology), several times smaller compressed. Below it, compressing costs more than it saves.
GZIP_FROM_BYTES = 16 * 1024


def _encoded(body: bytes) -> tuple[bytes, dict[str, str]]:
    """The body as sent, and its Content-Encoding header (signatures cover it as sent)."""
    if len(body) < GZIP_FROM_BYTES:
        return body, {}
    return gzip.compress(body, compresslevel=6, mtime=0), {"content-encoding": "gzip"}


def _is_service_error(answer: Answer) -> bool:
    """The service's own error shape (``statusCode`` in a JSON body), not a proxy's page."""
    try:
        return json.loads(answer.body).get("statusCode") == answer.status
    except (ValueError, AttributeError):
        return False


def message_of(answer: Answer) -> str:
    """What the answer says, cut to ``LOGGED_ANSWER_CHARS`` for the log."""
    try:
        message = json.loads(answer.body).get("message")
    except (ValueError, AttributeError):
        message = None
    text = str(message) if message is not None else answer.body.decode(errors="replace")
    return text if len(text) <= LOGGED_ANSWER_CHARS else text[:LOGGED_ANSWER_CHARS] + "...(cut)"


def describe(error: Exception) -> str:
    return f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
