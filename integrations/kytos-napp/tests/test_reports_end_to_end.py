"""The NApp's reports reach the real service, which exports them at /metrics per forwarder, and
a controller whose loop is stuck shows as silent there. Needs Java and Maven (the service waits
for a broker to be ready) and the built service; run by run-tests.sh."""

import time
import urllib.request

import pytest
from controller import StandinController
from kytos.core import KytosEvent
from kytos_stack_harness.service_under_test import Service

from webhook_forwarder import settings
from webhook_forwarder.main import Main

pytestmark = pytest.mark.e2e

SECRET = "kytos-webhook-secret-for-the-e2e-0123456789"
SILENT_AFTER_MS = 2000


def sample(metrics, series):
    for line in metrics.splitlines():
        if line.startswith(series + " "):
            return float(line.split(" ")[1])
    return None


def wait_for_metric(service, series, expected, timeout=20.0):
    deadline = time.monotonic() + timeout
    while True:
        with urllib.request.urlopen(f"http://127.0.0.1:{service.port}/metrics", timeout=5) as answer:
            value = sample(answer.read().decode(), series)
        if value == expected:
            return time.monotonic()
        assert time.monotonic() < deadline, f"{series} is {value}, not {expected}"
        time.sleep(0.3)


def test_a_report_reaches_metrics_and_a_stuck_loop_shows_as_silent(broker, monkeypatch):
    service = Service(f"127.0.0.1:{broker.port}", SECRET, "napp_reports",
                      FORWARDER_SILENT_AFTER_MS=str(SILENT_AFTER_MS))
    service.start()
    for name, value in {
        "WEBHOOK_URL": service.url,
        "WEBHOOK_SECRET": SECRET,
        "BATCH_LINGER_SECONDS": "0.01",
        "FORWARDER_ID": "kytos-e2e",
        "REPORT_INTERVAL_SECONDS": "1",
    }.items():
        monkeypatch.setattr(settings, name, value)
    controller = StandinController()
    try:
        napp = controller.load(Main)
        for number in range(5):
            controller.publish(KytosEvent(name="kytos/topology.link_up", content={"n": number}))
        forwarded = 'kafka_events_forwarder_forwarded_total{forwarder="kytos-e2e"}'
        silent = 'kafka_events_forwarder_silent{forwarder="kytos-e2e"}'
        wait_for_metric(service, forwarded, 5)
        wait_for_metric(service, silent, 0)
        assert napp.forwarder.reporter.failed == 0
        # A deadlocked kytosd: its loop's thread waits on itself, so no report is made.
        controller.loop.call_soon_threadsafe(time.sleep, 8.0)
        stuck = time.monotonic()
        flipped = wait_for_metric(service, silent, 1, timeout=8.0)
        assert flipped - stuck >= SILENT_AFTER_MS / 1000 - 1.0
        # The loop runs again: the next report clears it.
        wait_for_metric(service, silent, 0, timeout=20.0)
        assert time.monotonic() - stuck >= 8.0
        controller.shutdown()
    finally:
        service.stop()
