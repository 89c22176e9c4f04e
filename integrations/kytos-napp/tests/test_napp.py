import json
import threading
import time

import pytest
from bounds_report import report_bound
from controller import StandinController
from hostile_server import HostileServer, trickle
from kytos.core import KytosEvent
from sample_events import sample_events

from webhook_forwarder import settings
from webhook_forwarder.main import Main


@pytest.fixture
def napp_settings(monkeypatch, server):
    values = {
        "WEBHOOK_URL": server.url,
        "WEBHOOK_SECRET": "kytos-webhook-secret-for-tests-0123456789",
        "BATCH_LINGER_SECONDS": "0.01",
        "RETRY_INITIAL_SECONDS": "0.01",
        "RETRY_MAX_SECONDS": "0.05",
        "SHUTDOWN_FLUSH_SECONDS": "2",
    }
    for name, value in values.items():
        monkeypatch.setattr(settings, name, value)
    return monkeypatch


@pytest.fixture
def controller():
    standin = StandinController()
    yield standin
    if standin.loop.is_running():
        standin.shutdown()


def wait_for(condition, timeout=10.0):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.02)


def stats(controller, napp):
    return controller.call_soon(napp.stats, None).content


def test_forwards_every_sample_event_in_order_as_the_webhook_expects(napp_settings, server, controller):
    napp = controller.load(Main)
    events = sample_events()
    for event in events:
        controller.publish(event)
    wait_for(lambda: len(server.events()) == len(events))
    received = server.events()
    assert [e["id"] for e in received] == [str(e.id) for e in events]
    assert received[0]["content"] == events[0].content
    assert all("T" in e["timestamp"] for e in received)
    # The server records a batch before answering it: the count follows the answer.
    wait_for(lambda: stats(controller, napp)["forwarded"] == len(events))
    assert len(server.requests) < len(events), "events were batched"
    # Its cost on the controller's loop: every event it was offered, and the time that took.
    current = stats(controller, napp)
    assert current["events_seen"] == len(events) and current["loop_seconds"] > 0, current


def test_a_name_pattern_narrows_what_leaves_the_controller(napp_settings, server, controller):
    napp_settings.setattr(settings, "EVENT_NAME_PATTERN", r"kytos/topology\.")
    controller.load(Main)
    for event in sample_events():
        controller.publish(event)
    controller.publish(KytosEvent(name="kytos/topology.link_up", content={"link": "l9"}))
    wait_for(lambda: any(e["content"] == {"link": "l9"} for e in server.events()))
    names = {e["name"] for e in server.events()}
    assert names and all(name.startswith("kytos/topology.") for name in names)


def test_never_blocks_the_controller_and_drops_the_oldest_when_full(napp_settings, server, controller):
    napp_settings.setattr(settings, "QUEUE_CAPACITY", "5")
    napp_settings.setattr(settings, "BATCH_MAX_EVENTS", "1")
    server.delay = threading.Event()  # the service hangs
    napp = controller.load(Main)
    started = time.monotonic()
    for number in range(30):
        controller.publish(KytosEvent(name="kytos/topology.link_up", content={"n": number}))
    assert time.monotonic() - started < 2.0
    current = stats(controller, napp)
    assert current["queued"] == 5
    # 30 offered: one in flight at the hung service, 5 queued, the 24 oldest of the rest dropped.
    assert current["dropped_queue_full"] == 24
    server.delay.set()
    # Not "queued == 0": the last event leaves the queue before the service has it.
    wait_for(lambda: stats(controller, napp)["forwarded"] == 6)
    numbers = [e["content"]["n"] for e in server.events()]
    assert numbers == [0, 25, 26, 27, 28, 29]


def test_one_invalid_event_costs_only_itself_not_its_batch(napp_settings, server, controller):
    napp_settings.setattr(settings, "BATCH_LINGER_SECONDS", "0.5")
    server.refuse = lambda events: 400 if any(e["content"]["n"] == 7 for e in events) else None
    napp = controller.load(Main)
    for number in range(20):
        controller.publish(KytosEvent(name="kytos/topology.link_up", content={"n": number}))
    wait_for(lambda: napp.forwarder.stats.forwarded + napp.forwarder.stats.dropped == 20)
    assert sorted(e["content"]["n"] for e in server.accepted()) == [n for n in range(20) if n != 7]
    assert napp.forwarder.stats.rejected == 1


def test_an_event_too_large_is_counted_apart_by_name_and_costs_only_itself(napp_settings, server, controller):
    napp_settings.setattr(settings, "BATCH_LINGER_SECONDS", "0.5")
    stats_event = "kytos/of_core.flow_stats.received"
    server.refuse = lambda events: 413 if any(e["name"] == stats_event for e in events) else None
    napp = controller.load(Main)
    for number in range(10):
        name = stats_event if number in (3, 8) else "kytos/topology.link_up"
        controller.publish(KytosEvent(name=name, content={"n": number}))
    wait_for(lambda: napp.forwarder.stats.forwarded + napp.forwarder.stats.dropped == 10)
    assert sorted(e["content"]["n"] for e in server.accepted()) == [0, 1, 2, 4, 5, 6, 7, 9]
    current = stats(controller, napp)
    assert current["too_large"] == 2
    assert current["too_large_by_name"] == {stats_event: 2}
    assert current["rejected"] == 0
    refusals = [r for r in server.requests if r["status"] == 413]
    assert sum(1 for r in refusals if len(json.loads(r["body"])) == 1) == 2, "each refused alone, once"


def test_a_proxys_413_splits_the_batch_and_drops_only_the_event_too_large_alone(napp_settings, server, controller):
    napp_settings.setattr(settings, "BATCH_LINGER_SECONDS", "0.5")
    # An nginx in front of the service: its HTML 413 for any batch over 10 events, and for the
    # one event larger than its body limit.
    def nginx(events):
        return (413, "proxy") if len(events) > 10 or any("blob" in e["content"] for e in events) else None

    server.refuse = nginx
    napp = controller.load(Main)
    for number in range(100):
        content = {"n": number, "blob": "x" * 20_000} if number == 37 else {"n": number}
        controller.publish(KytosEvent(name="kytos/topology.link_up", content=content))
    wait_for(lambda: napp.forwarder.stats.forwarded + napp.forwarder.stats.dropped == 100)
    assert sorted(e["content"]["n"] for e in server.accepted()) == [n for n in range(100) if n != 37]
    current = stats(controller, napp)
    assert current["too_large"] == 1 and current["too_large_by_name"] == {"kytos/topology.link_up": 1}
    assert current["dropped"] == 1


def test_a_lone_surrogate_neither_kills_the_sender_nor_stops_what_follows(napp_settings, server, controller):
    napp = controller.load(Main)
    controller.publish(KytosEvent(name="kytos/topology.link_up", content={"n": 0, "name": "port\ud800"}))
    controller.publish(KytosEvent(name="kytos/topology.link_up", content={"n": 1}))
    wait_for(lambda: len(server.accepted()) == 2)
    assert server.accepted()[0]["content"]["name"] == "port\ufffd"
    assert napp.forwarder.stats.dropped == 0


def test_flushes_what_is_queued_at_shutdown(napp_settings, server, controller):
    napp_settings.setattr(settings, "BATCH_LINGER_SECONDS", "5")  # nothing leaves before shutdown
    napp = controller.load(Main)
    for number in range(20):
        controller.publish(KytosEvent(name="kytos/topology.link_up", content={"n": number}))
    controller.shutdown()
    assert [e["content"]["n"] for e in server.events()] == list(range(20))
    assert napp.forwarder.stats.forwarded == 20
    assert napp.forwarder.stats.dropped == 0


def test_gives_up_at_shutdown_within_the_flush_time_and_counts_what_it_drops(napp_settings, server, controller):
    server.script = [(503, {"retry-after": "1"})] * 100
    napp = controller.load(Main)
    for number in range(10):
        controller.publish(KytosEvent(name="kytos/topology.link_up", content={"n": number}))
    wait_for(lambda: len(server.requests) >= 1)
    started = time.monotonic()
    controller.shutdown()
    assert time.monotonic() - started < 2 + 2
    assert napp.forwarder.stats.dropped_at_shutdown == 10
    assert napp.forwarder.stats.forwarded == 0


def test_the_shutdown_flush_ends_within_its_time_however_slowly_the_service_answers(napp_settings, controller):
    # A byte a second: httpx's timeouts, per read, would never trip.
    hostile = HostileServer(trickle(1.0))
    try:
        napp_settings.setattr(settings, "WEBHOOK_URL", hostile.url)
        napp_settings.setattr(settings, "BATCH_LINGER_SECONDS", "5")  # nothing leaves before shutdown
        napp = controller.load(Main)
        for number in range(20):
            controller.publish(KytosEvent(name="kytos/topology.link_up", content={"n": number}))
        started = time.monotonic()
        controller.shutdown()
        elapsed = time.monotonic() - started
    finally:
        hostile.close()
    # The flush time (2 s) and its grace to close the connection (1 s), with a margin.
    assert elapsed < 2 + 1 + 1.5, elapsed
    assert napp.forwarder.stats.dropped_at_shutdown == 20
    report_bound(attack="NApp: the service answers a byte a second at Kytos' shutdown",
                 bound="the flush ends within SHUTDOWN_FLUSH_SECONDS (2 s) + 1 s", measured=f"{elapsed:.2f} s")


SERVICE_DEFAULTS = {
    "a": {"pattern": "kytos[./](.*)", "action": "allow", "mutable": False},
    "b": {"pattern": r"kytos/of_core\.v0x04\.messages\.", "action": "deny", "mutable": False},
}


def test_denied_events_never_leave_kytos_nor_are_serialized(napp_settings, server, controller):
    server.filters = SERVICE_DEFAULTS
    napp_settings.setattr(settings, "RULES_REFRESH_SECONDS", "0.1")
    napp = controller.load(Main)
    wait_for(lambda: napp.forwarder.rules.known)

    class Unserializable:
        def as_dict(self):
            raise AssertionError("a denied event was serialized")

    for number in range(5):
        controller.publish(KytosEvent(name="kytos/of_core.v0x04.messages.in.ofpt_echo_request",
                                      content={"message": Unserializable()}))
        controller.publish(KytosEvent(name="kytos/topology.link_up", content={"n": number}))
    wait_for(lambda: len(server.accepted()) == 5)
    assert [e["name"] for e in server.accepted()] == ["kytos/topology.link_up"] * 5
    assert stats(controller, napp)["filtered_locally"] == 5
    assert napp.forwarder.stats.unserializable == 0
    server.filters = None
    wait_for(lambda: not napp.forwarder.rules.known)
    controller.publish(KytosEvent(name="kytos/of_core.v0x04.messages.in.ofpt_hello", content={}))
    wait_for(lambda: len(server.accepted()) == 6)
