"""The NApp, driven through the stand-in controller, posts to the real service, which publishes
to a real broker; Kafka's own console consumer checks what arrived. Needs Java and Maven (for the
broker) and the built service (``npm run build``); run by integrations/kytos-napp/run-tests.sh."""

import contextlib
import logging
import re
import threading
import time

import pytest
from controller import StandinController
from elasticapm.utils.disttracing import TraceParent
from kytos.core import KytosEvent
from kytos_stack_harness.service_under_test import Service
from sample_events import sample_events

from webhook_forwarder import settings
from webhook_forwarder.main import Main
from webhook_forwarder.serializer import serialize_event
from webhook_forwarder.webhook_client import encode_event

pytestmark = pytest.mark.e2e

SECRET = "kytos-webhook-secret-for-the-e2e-0123456789"
TRACE_PARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
# The service's default rules (the Python NApp's): allow kytos/ and kytos. names, deny raw OpenFlow.
ALLOW = re.compile(r"kytos[./](.*)")
DENY = [re.compile(p) for p in (r"kytos/of_core.v0x04.messages.*", r"kytos/flow_manager.messages.out.*",
                                 r"kytos/of_lldp.messages.out.*", r"kytos/core.openflow.raw.*")]


def permitted(name):
    return bool(ALLOW.match(name)) and not any(rule.match(name) for rule in DENY)


@pytest.fixture
def napp_settings(monkeypatch):
    for name, value in {
        "WEBHOOK_SECRET": SECRET,
        "BATCH_LINGER_SECONDS": "0.01",
        "RETRY_INITIAL_SECONDS": "0.05",
        "RETRY_MAX_SECONDS": "0.5",
        "SHUTDOWN_FLUSH_SECONDS": "10",
    }.items():
        monkeypatch.setattr(settings, name, value)
    return monkeypatch


def wait_for(condition, timeout=60.0):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.05)


@contextlib.contextmanager
def napp_posting_to_service(broker, napp_settings, topic):
    """The real service publishing to ``topic``, and a stand-in controller whose NApp posts to it;
    both stopped at the end."""
    service = Service(f"127.0.0.1:{broker.port}", SECRET, topic)
    service.start()
    napp_settings.setattr(settings, "WEBHOOK_URL", service.url)
    controller = StandinController()
    try:
        yield controller, controller.load(Main)
    finally:
        service.stop()


def test_every_permitted_sample_event_reaches_kafka_exactly_as_serialized(broker, napp_settings):
    with napp_posting_to_service(broker, napp_settings, "napp_e2e") as (controller, napp):
        events = sample_events()
        # One event traced by Kytos' APM: its trace goes on in the record's traceparent header.
        traced = next(event for event in events if permitted(event.name))
        traced.trace_parent = TraceParent.from_string(TRACE_PARENT)
        for event in events:
            controller.publish(event)
        # Events the service denies leave Kytos only until the NApp has learned its rules.
        stats = napp.forwarder.stats
        wait_for(lambda: stats.forwarded + stats.filtered_locally == len(events))
        controller.shutdown()
    expected = {str(e.id): serialize_event(e) for e in events if permitted(e.name)}
    assert expected and len(expected) < len(events), "the samples hold permitted and filtered events"
    records = broker.read_records("napp_e2e", len(expected))
    by_id = {value["id"]: value for _, value in records}
    headers = {value["id"]: header for header, value in records}
    assert f"traceparent:{TRACE_PARENT}" in headers[str(traced.id)]
    assert sum("traceparent:" in header for header in headers.values()) == 1
    assert set(by_id) == set(expected)
    for event_id, record in expected.items():
        assert by_id[event_id] == {
            "event": record["name"],
            "message": record["content"],
            "id": event_id,
            "timestamp": record["timestamp"],
        }


def test_a_service_outage_loses_nothing_the_napp_did_not_report_dropped(broker, napp_settings, caplog):
    service = Service(f"127.0.0.1:{broker.port}", SECRET, "napp_e2e_outage")
    service.start()
    napp_settings.setattr(settings, "WEBHOOK_URL", service.url)
    napp_settings.setattr(settings, "QUEUE_CAPACITY", "150")
    caplog.set_level(logging.DEBUG, logger="webhook_forwarder")
    controller = StandinController()
    sent = []

    def produce():
        # ~100 events a second for ~8 s, while the service is killed and comes back.
        for number in range(800):
            event = KytosEvent(name="kytos/topology.link_up", content={"n": number})
            sent.append(str(event.id))
            controller.publish(event)
            time.sleep(0.01)

    try:
        napp = controller.load(Main)
        producer = threading.Thread(target=produce)
        producer.start()
        time.sleep(1.5)
        service.kill()
        time.sleep(3.0)
        service.start()
        producer.join(timeout=60)
        stats = napp.forwarder.stats
        wait_for(lambda: napp.forwarder.queued == 0 and stats.forwarded + stats.dropped >= len(sent))
        controller.shutdown()
    finally:
        service.stop()
    dropped = {m.group(1) for m in (re.match(r"dropped event (\S+) ", r.getMessage()) for r in caplog.records) if m}
    assert len(dropped) == stats.dropped
    assert stats.dropped_queue_full > 0, "the outage outlasted the queue: the drop path ran"
    # Every record, duplicates included (a retried batch the service had written before it was
    # killed): a count that is never reached, so the reader stops when the topic goes quiet.
    values = broker.read_values("napp_e2e_outage", 2 * len(sent))
    arrived = {value["id"] for value in values}
    missing = set(sent) - dropped - arrived
    assert not missing, (
        f"{len(missing)} events neither arrived nor were reported dropped "
        f"({len(values)} records read, {len(arrived)} distinct; NApp stats {stats})"
    )
    print(f"outage: {len(sent)} sent, {len(dropped)} reported dropped, {len(arrived)} arrived, "
          f"{len(values) - len(arrived)} duplicates")


def flow_stats(flows):
    """of_core's flow statistics of one switch, as Flow04.as_dict gives each flow."""
    dpid = "00:00:00:00:00:00:00:01"
    return {
        "switch": {"id": dpid, "dpid": dpid, "name": dpid, "type": "switch", "interfaces": {}},
        "replies_flows": [
            {
                "switch": dpid, "table_id": 0, "match": {"in_port": 1 + n % 48, "dl_vlan": 1 + n % 4000},
                "priority": 20000, "idle_timeout": 0, "hard_timeout": 0, "cookie": (0xAA << 56) + n * 7919,
                "id": f"{n:032x}", "cookie_mask": 0,
                "stats": {"byte_count": 10**6 + n * 1517, "duration_sec": 86400 + n % 3600,
                          "duration_nsec": 123000000 + n, "packet_count": 10000 + n * 13},
                "instructions": [{"instruction_type": "apply_actions",
                                  "actions": [{"action_type": "output", "port": 1 + (n + 1) % 48}]}],
            }
            for n in range(flows)
        ],
    }


def test_a_5_mb_event_reaches_kafka_whole_and_the_small_ones_behind_it_follow(broker, napp_settings):
    with napp_posting_to_service(broker, napp_settings, "napp_big") as (controller, napp):
        stats = napp.forwarder.stats
        big = KytosEvent(name="kytos/of_core.flow_stats.received", content=flow_stats(13_000))
        small = [KytosEvent(name="kytos/topology.link_up", content={"n": n}) for n in range(20)]
        started = time.monotonic()
        controller.publish(big)
        for event in small:
            controller.publish(event)
        timeline = []
        wait_for(lambda: timeline.append((time.monotonic() - started, stats.forwarded)) or stats.forwarded == 21)
        controller.shutdown()
    size = len(encode_event(serialize_event(big)))
    first = next(elapsed for elapsed, forwarded in timeline if forwarded >= 1)
    print(f"big event: {size} bytes of JSON; in Kafka {first:.2f} s after Kytos emitted it; "
          f"the 20 small ones behind it {timeline[-1][0]:.2f} s")
    assert size > 5 * 1024 * 1024
    assert stats.dropped == 0
    records = broker.read_records("napp_big", 21)
    by_id = {value["id"]: value for _, value in records}
    assert set(by_id) == {str(event.id) for event in [big, *small]}
    assert by_id[str(big.id)]["message"] == serialize_event(big)["content"], "whole, digit for digit"
