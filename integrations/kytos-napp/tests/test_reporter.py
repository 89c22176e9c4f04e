"""The NApp's reports to the service (POST …/forwarders/{id}/report): made on the controller's
loop, so a stuck loop sends none, and never in the events' way."""

import threading
import time

import pytest
from controller import StandinController
from kytos.core import KytosEvent

from webhook_forwarder import settings
from webhook_forwarder.main import Main
from webhook_forwarder.webhook_client import encode_event, sign

SECRET = "kytos-webhook-secret-for-tests-0123456789"
REPORT_PATH = "/api/kytos/kafka_events/v1/forwarders/kytos-test/report"


@pytest.fixture
def napp_settings(monkeypatch, server):
    for name, value in {
        "WEBHOOK_URL": server.url,
        "WEBHOOK_SECRET": SECRET,
        "BATCH_LINGER_SECONDS": "0.01",
        "RETRY_INITIAL_SECONDS": "0.01",
        "RETRY_MAX_SECONDS": "0.05",
        "RULES_REFRESH_SECONDS": "0",
        "FORWARDER_ID": "kytos-test",
        "REPORT_INTERVAL_SECONDS": "1",
    }.items():
        monkeypatch.setattr(settings, name, value)
    return monkeypatch


@pytest.fixture
def controller():
    standin = StandinController()
    yield standin
    if standin.loop.is_running():
        standin.shutdown()


def wait_for(condition, timeout=15.0):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.02)


def link_up(number):
    return KytosEvent(name="kytos/topology.link_up", content={"n": number})


def test_reports_its_counters_beside_the_webhook_signed_as_a_batch_is(napp_settings, server, controller):
    server.refuse = lambda events: 413 if any(e["content"]["n"] == 3 for e in events) else None
    napp = controller.load(Main)
    for number in range(6):
        controller.publish(link_up(number))
    wait_for(lambda: any(body["forwarded"] == 5 for *_, body in server.reports))
    _, path, headers, body = next(report for report in server.reports if report[3]["forwarded"] == 5)
    assert path == REPORT_PATH
    assert body == {
        "run": napp.forwarder.run,
        "forwarded": 5,
        "dropped": {"queue_full": 0, "rejected": 0, "too_large": 1, "shutdown": 0, "unserializable": 0},
        "queue_depth": 0,
        "loop_seconds": body["loop_seconds"],
        "events_seen": 6,
        "filtered_locally": 0,
    }
    assert 0 < body["loop_seconds"] < 1
    timestamp = headers["x-kytos-timestamp"]
    assert headers["x-kytos-signature"] == sign(SECRET, timestamp, encode_event(body))
    # One run for the NApp's life: the service tells a restart by a new one.
    assert len({report[3]["run"] for report in server.reports}) == 1


def test_a_stuck_controller_loop_sends_no_report_until_it_runs_again(napp_settings, server, controller):
    controller.load(Main)
    wait_for(lambda: len(server.reports) >= 2)
    # As of_core blocked on a full buffer: the loop's own thread waits.
    controller.loop.call_soon_threadsafe(time.sleep, 4.0)
    blocked = time.monotonic()
    time.sleep(4.0)
    during = [at for at, *_ in server.reports if blocked + 0.5 < at < blocked + 3.9]
    assert during == [], "a report arrived while the controller's loop was stuck"
    wait_for(lambda: any(at > blocked + 4.0 for at, *_ in server.reports))


def test_a_report_that_fails_or_hangs_neither_loses_nor_delays_an_event(napp_settings, server, controller):
    server.report_hang = threading.Event()
    napp = controller.load(Main)
    wait_for(lambda: napp.forwarder.reporter.failed >= 1, timeout=10)
    started = time.monotonic()
    for number in range(20):
        controller.publish(link_up(number))
    wait_for(lambda: len(server.events()) == 20)
    assert time.monotonic() - started < 1.0, "events waited for a hanging report"
    server.report_status = 500
    server.report_hang.set()
    failed = napp.forwarder.reporter.failed
    wait_for(lambda: napp.forwarder.reporter.failed > failed + 1)
    for number in range(20, 40):
        controller.publish(link_up(number))
    wait_for(lambda: napp.forwarder.stats.forwarded == 40)
    assert [e["content"]["n"] for e in server.events()] == list(range(40))
    server.report_status = 204
    wait_for(lambda: server.reports and server.reports[-1][3]["forwarded"] == 40)


def test_reports_the_shutdown_s_drops_once_more_as_kytos_stops(napp_settings, server, controller):
    napp_settings.setattr(settings, "SHUTDOWN_FLUSH_SECONDS", "0.5")
    server.delay = threading.Event()  # the service takes no event
    controller.load(Main)
    for number in range(3):
        controller.publish(link_up(number))
    time.sleep(0.3)  # the batch is in flight, held by the service
    started = time.monotonic()
    controller.shutdown()
    # The flush's time, the last report's and a little more for the connections to close.
    assert time.monotonic() - started < 0.5 + 1.0 + 1.5 + 0.5
    last = server.reports[-1][3]
    assert last["dropped"]["shutdown"] == 3 and last["forwarded"] == 0, last


def test_reports_nothing_with_an_interval_of_0(napp_settings, server, controller):
    napp_settings.setattr(settings, "REPORT_INTERVAL_SECONDS", "0")
    napp = controller.load(Main)
    controller.publish(link_up(1))
    wait_for(lambda: napp.forwarder.stats.forwarded == 1)
    time.sleep(1.5)
    assert napp.forwarder.reporter is None and server.reports == []
