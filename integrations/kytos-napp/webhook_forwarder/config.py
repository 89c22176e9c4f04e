"""Builds the forwarder from the settings module, refusing bad values with one clear message."""

from __future__ import annotations

import re
import socket
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import TypeVar

from .forwarder import Forwarder, ForwarderSettings
from .serializer import SerializerLimits
from .webhook_client import SIGNATURE_SCHEMES, RetrySettings, WebhookClient, WebhookSettings

N = TypeVar("N", int, float)


class SettingsError(ValueError):
    pass


#: What the service takes as a forwarder's id (its FORWARDER_ID_PATTERN, 64 characters at most).
FORWARDER_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,63}")


def build_forwarder(settings: ModuleType) -> Forwarder:
    problems: list[str] = []

    def number(name: str, parse: Callable[[str], N], low: N, high: N) -> N:
        raw = str(getattr(settings, name))
        try:
            value = parse(raw)
        except ValueError:
            value = None
        if value is None or not low <= value <= high:
            problems.append(f"{name}={raw!r}: expected a number from {low} to {high}")
            return low
        return value

    url = str(settings.WEBHOOK_URL)
    if not re.match(r"^https?://[^/\s]+", url):
        problems.append(f"WEBHOOK_URL={url!r}: expected an http:// or https:// URL")
    pattern = str(settings.EVENT_NAME_PATTERN)
    try:
        re.compile(pattern)
    except re.error as error:
        problems.append(f"EVENT_NAME_PATTERN={pattern!r}: {error}")
        pattern = ".*"
    secret = _secret(settings, problems)
    scheme = str(getattr(settings, "WEBHOOK_SIGNATURE_SCHEME", "kytos"))
    if scheme not in SIGNATURE_SCHEMES:
        problems.append(f"WEBHOOK_SIGNATURE_SCHEME={scheme!r}: expected one of {', '.join(SIGNATURE_SCHEMES)}")
        scheme = "kytos"
    webhook = WebhookSettings(
        url=url,
        secret=secret,
        signature_scheme=scheme,
        token=settings.WEBHOOK_TOKEN or None,
        request_timeout=number("REQUEST_TIMEOUT_SECONDS", float, 0.1, 600.0),
        retry=RetrySettings(
            initial_delay=number("RETRY_INITIAL_SECONDS", float, 0.001, 60.0),
            max_delay=number("RETRY_MAX_SECONDS", float, 0.01, 3600.0),
        ),
    )
    # At most a third of the service's FORWARDER_SILENT_AFTER_MS default: a live NApp never looks silent.
    report_interval = number("REPORT_INTERVAL_SECONDS", float, 0.0, 20.0)
    if 0 < report_interval < 1:
        # The service refuses a signature it has seen: two reports alike need distinct seconds.
        problems.append(f"REPORT_INTERVAL_SECONDS={report_interval!r}: expected 0 (never) or 1 to 20")
    forwarder = ForwarderSettings(
        name_pattern=pattern,
        queue_capacity=number("QUEUE_CAPACITY", int, 1, 10_000_000),
        queue_max_bytes=number("QUEUE_MAX_BYTES", int, 1024, 16 * 1024**3),
        batch_max_events=number("BATCH_MAX_EVENTS", int, 1, 1000),
        batch_linger=number("BATCH_LINGER_SECONDS", float, 0.0, 10.0),
        shutdown_flush_timeout=number("SHUTDOWN_FLUSH_SECONDS", float, 0.0, 600.0),
        rules_url=str(settings.RULES_URL or re.sub(r"/events/?$", "/filters", url)),
        rules_refresh=number("RULES_REFRESH_SECONDS", float, 0.0, 86_400.0),
        report_url=_report_url(settings, url, report_interval, problems),
        report_interval=report_interval,
        limits=SerializerLimits(
            max_depth=number("MAX_CONTENT_DEPTH", int, 1, 1000),
            max_values=number("MAX_CONTENT_VALUES", int, 1, 100_000_000),
        ),
    )
    if problems:
        raise SettingsError("webhook_forwarder settings: " + "; ".join(problems))
    return Forwarder(forwarder, WebhookClient(webhook))


def _secret(settings: ModuleType, problems: list[str]) -> str | None:
    if settings.WEBHOOK_SECRET and settings.WEBHOOK_SECRET_FILE:
        problems.append("set WEBHOOK_SECRET or WEBHOOK_SECRET_FILE, not both")
        return None
    if settings.WEBHOOK_SECRET_FILE:
        try:
            return Path(settings.WEBHOOK_SECRET_FILE).read_text(encoding="utf-8").strip()
        except OSError as error:
            problems.append(f"WEBHOOK_SECRET_FILE={settings.WEBHOOK_SECRET_FILE!r} cannot be read: {error.strerror}")
            return None
    return settings.WEBHOOK_SECRET or None


def forwarder_id(raw: str) -> str:
    """A host name as the service takes an id: odd characters made "-", 64 at most."""
    cleaned = re.sub(r"[^A-Za-z0-9._:-]", "-", raw).lstrip("._:-")[:64]
    return cleaned or "kytos"


def _report_url(settings: ModuleType, url: str, interval: float, problems: list[str]) -> str | None:
    """The service's report route for this forwarder, beside the webhook; None when not reporting."""
    if interval == 0:
        return None
    ident = str(settings.FORWARDER_ID or forwarder_id(socket.gethostname()))
    if not FORWARDER_ID.fullmatch(ident):
        problems.append(
            f"FORWARDER_ID={ident!r}: expected 1 to 64 letters, digits, '.', '_', ':' or '-', "
            "starting with a letter or digit"
        )
        return None
    if not re.search(r"/events/?$", url):
        problems.append(
            f"WEBHOOK_URL={url!r}: the reports go beside the webhook, so it must end in /events "
            "(or set REPORT_INTERVAL_SECONDS=0)"
        )
        return None
    return re.sub(r"/events/?$", f"/forwarders/{ident}/report", url)
