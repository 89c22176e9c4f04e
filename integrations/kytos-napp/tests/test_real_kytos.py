"""The NApp inside a real Kytos-ng (kytosd with of_core, see kytos_stack_harness/kytosd.py), with
emulated OpenFlow 1.3 switches connecting to it, posting to the real service and a real broker;
what reached Kafka is read back by Kafka's own console consumer."""

import base64
import json
import re
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

import pytest
from kytos_stack_harness.kytosd import SECRET, RealKytos, napp_env, readiness, skip_unless_ready
from kytos_stack_harness.service_under_test import Service

pytestmark = pytest.mark.e2e
skip_unless_ready()

from kytos_stack_harness.of_switch import EmulatedSwitch  # noqa: E402 (needs pyof, which the skip above vouches for)

DENIED = re.compile(r"kytos/of_core\.v0x04\.messages\.|kytos/flow_manager\.messages\.out\.|"
                    r"kytos/of_lldp\.messages\.out\.|kytos/core\.openflow\.raw\.")


def service_metrics(service):
    """The service's event counters, from its Prometheus endpoint."""
    url = service.url.split("/api/")[0] + "/metrics"
    with urllib.request.urlopen(url, timeout=5) as answer:
        text = answer.read().decode()
    return {name: float(value) for name, value in re.findall(r"(?m)^(kafka_events_\w+_total) (\S+)$", text)}


def forwarder_sample(service, series):
    """One series of the service's forwarder metrics (a labelled one), or None."""
    url = service.url.split("/api/")[0] + "/metrics"
    with urllib.request.urlopen(url, timeout=5) as answer:
        found = re.search(rf"(?m)^{re.escape(series)} (\S+)$", answer.read().decode())
    return float(found.group(1)) if found else None


#: The NApp reports every second, as "real-kytos".
REPORTS = {"KAFKA_EVENTS_FORWARDER_ID": "real-kytos", "KAFKA_EVENTS_REPORT_INTERVAL_SECONDS": "1"}


def assert_reported(kytos, service, forwarded):
    """The NApp's report, made on kytosd's loop, reached the service's metrics."""
    series = 'kafka_events_forwarder_{}{{forwarder="real-kytos"}}'
    kytos.wait_for(lambda: forwarder_sample(service, series.format("forwarded_total")) == forwarded,
                   "the NApp's report at the service's /metrics", 20)
    assert forwarder_sample(service, series.format("silent")) == 0
    assert forwarder_sample(service, series.format("loop_seconds_total")) > 0


def by_name(values, name):
    return [value for value in values if value["event"] == name]


def port_descriptions(values, switch):
    """(port number, name) of each port of_core announced as created on ``switch``."""
    return sorted(
        (v["message"]["port"], v["message"]["port_description"]["alias"])
        for v in by_name(values, "kytos/of_core.switch.port.created")
        if v["message"]["switch"] == switch.dpid
    )


def wait_in_kafka(broker, condition, what, reads=6, topic="real_kytos"):
    """Reads the topic again (each read ends 10 s after its last record) until ``condition`` holds."""
    for _ in range(reads):
        if condition(broker.read_values(topic, 10_000)):
            return
    pytest.fail(f"{what}: not in Kafka after {reads} reads")


def test_every_switch_event_reaches_kafka_whole_and_no_raw_openflow(broker):
    # The default rules, and the switches' FeaturesReply too: its pyof content is checked below.
    presets = [
        {"pattern": "kytos[./](.*)"},
        {"pattern": r"kytos/of_core\.v0x04\.messages\.in\.ofpt_features_reply$"},
        *({"pattern": p, "action": "deny"} for p in (
            r"kytos/of_core\.v0x04\.messages\.(?:out\.|in\.ofpt_(?:[^f]|f[^e]))",
            r"kytos/flow_manager\.messages\.out\.", r"kytos/of_lldp\.messages\.out\.",
            r"kytos/core\.openflow\.raw\.")),
    ]
    service = Service(f"127.0.0.1:{broker.port}", SECRET, "real_kytos", FILTER_PRESETS=json.dumps(presets))
    service.start()
    kytos = RealKytos(Path(tempfile.mkdtemp(prefix="real-kytos-")), {**napp_env(service), **REPORTS})
    try:
        kytos.start()
        switches = [EmulatedSwitch(number, 3, kytos.of_port) for number in (1, 2)]
        kytos.wait_for(lambda: kytos.output().count("OPENFLOW HANDSHAKE COMPLETE") == 2, "both handshakes")
        # of_core skips a port description older than a port status it has already applied
        # (SKIP_INTF_STATE_LATE_UPDATES), so the port goes down only once its description is in Kafka.
        wait_in_kafka(broker, lambda values: len(port_descriptions(values, switches[0])) == 3,
                      "switch 1's port descriptions")
        switches[0].port_down(2)
        kytos.wait_for(lambda: "PortStatus modified interface" in kytos.output(), "the port status")
        kytos.wait_for(lambda: kytos.stats()["queued"] == 0 and kytos.stats()["forwarded"] > 0, "the NApp idle")
        for switch in switches:
            switch.close()
        kytos.wait_for(lambda: "Connection lost with client" in kytos.output(), "the switches gone")
        time.sleep(1)
        kytos.wait_for(lambda: kytos.stats()["queued"] == 0, "the NApp idle")
        stats = kytos.stats()
        assert_reported(kytos, service, stats["forwarded"])
    finally:
        if kytos.process is not None:
            kytos.terminate()
        kytos.stop()
        # After kytosd's own shutdown flush: nothing more can reach the service.
        metrics = service_metrics(service)
        service.stop()
    values = broker.read_values("real_kytos", 10_000)
    # Every event the NApp sent reached the service, and every one the service permitted is in Kafka.
    assert metrics["kafka_events_received_total"] >= stats["forwarded"] > 0
    assert metrics["kafka_events_published_total"] == len(values) == (
        metrics["kafka_events_received_total"] - metrics["kafka_events_filtered_total"]
    )
    names = {value["event"] for value in values}
    assert stats["unserializable"] == 0 and stats["dropped"] == 0, stats
    raw = [name for name in names if DENIED.match(name)]
    assert raw == ["kytos/of_core.v0x04.messages.in.ofpt_features_reply"], "only the allowed raw OpenFlow"
    for switch in switches:
        of_switch = [
            v for v in by_name(values, "kytos/core.switch.new") if v["message"]["switch"]["dpid"] == switch.dpid
        ]
        assert of_switch and of_switch[0]["message"]["switch"]["connection"], switch.dpid
        handshakes = by_name(values, "kytos/of_core.handshake.completed")
        assert [v for v in handshakes if v["message"]["switch"]["dpid"] == switch.dpid], switch.dpid
        assert port_descriptions(values, switch) == [(p, switch.port_name(p)) for p in (1, 2, 3)]
        interfaces = [
            i for v in by_name(values, "kytos/of_core.switch.interfaces.created")
            for i in v["message"]["interfaces"] if i["switch"] == switch.dpid
        ]
        assert sorted(i["name"] for i in interfaces) == [switch.port_name(p) for p in (1, 2, 3)]
    replies = {
        v["message"]["message"]["datapath_id"]: v["message"]["message"]
        for v in by_name(values, "kytos/of_core.v0x04.messages.in.ofpt_features_reply")
    }
    for switch in switches:
        reply = replies[switch.dpid]
        assert reply["header"]["message_type"] == {"value": 6, "name": "OFPT_FEATURES_REPLY"}
        assert reply["header"]["version"] == 4
        assert sorted(reply["capabilities"]["names"]) == ["OFPC_FLOW_STATS", "OFPC_PORT_STATS"]
        assert base64.b64decode(reply["packed"]) == switch.features_reply(reply["header"]["xid"]).pack()
    down = [v["message"]["interface"] for v in by_name(values, "kytos/of_core.switch.interface.link_down")]
    assert [(i["name"], i["active"]) for i in down] == [("s1-eth2", False)]


def test_events_queued_at_sigterm_while_the_service_is_away_are_still_delivered(broker):
    service = Service(f"127.0.0.1:{broker.port}", SECRET, "real_kytos_sigterm")
    service.start()
    kytos = RealKytos(Path(tempfile.mkdtemp(prefix="real-kytos-")), napp_env(service))
    try:
        kytos.start()
        kytos.wait_for(lambda: kytos.stats()["queued"] == 0, "the NApp idle")
        service.kill()
        switch = EmulatedSwitch(3, 2, kytos.of_port)
        kytos.wait_for(lambda: "OPENFLOW HANDSHAKE COMPLETE" in kytos.output(), "the handshake")
        kytos.wait_for(lambda: kytos.stats()["queued"] > 0, "events queued for the absent service")
        # The service comes back 3 s into kytosd's shutdown, within SHUTDOWN_FLUSH_SECONDS (20).
        threading.Timer(3.0, service.start).start()
        kytos.terminate()
        switch.close()
        output = kytos.output()
    finally:
        kytos.stop()
    try:
        values = broker.read_values("real_kytos_sigterm", 10_000)
    finally:
        service.stop()
    # What the scheduled flush used to leave behind (kytosd's own shell may complain as it ends).
    assert "Forwarder.close" not in output
    assert not re.search(r"Task was destroyed but it is pending!\ntask: <Task \w+ name='webhook_forwarder", output)
    assert re.search(r"webhook_forwarder: stopped; \d+ forwarded, 0 dropped", output), output[-3000:]
    handshakes = by_name(values, "kytos/of_core.handshake.completed")
    assert [v for v in handshakes if v["message"]["switch"]["dpid"] == switch.dpid]


FLOWS = 3_000
FLOWS_PER_REQUEST = 1_000  # what mongowire's bulk writes take in time (see ../shared/kytos-ng)


@pytest.mark.skipif(readiness(with_flows=True) is not None, reason=str(readiness(with_flows=True)))
def test_flow_statistics_over_1_mib_reach_kafka_whole(broker):
    service = Service(f"127.0.0.1:{broker.port}", SECRET, "real_kytos_flows")
    service.start()
    kytos = RealKytos(Path(tempfile.mkdtemp(prefix="real-kytos-flows-")), napp_env(service),
                      napps=("of_core", "flow_manager"), settings={"of_core": {"STATS_INTERVAL": "3"}})
    stats_name = "kytos/of_core.flow_stats.received"
    switch = None
    cookie = 0xAA << 56
    try:
        kytos.start()
        switch = EmulatedSwitch(1, 3, kytos.of_port)
        kytos.wait_for(lambda: "OPENFLOW HANDSHAKE COMPLETE" in kytos.output(), "the handshake")
        for start in range(0, FLOWS, FLOWS_PER_REQUEST):
            flows = [{"priority": 20000, "cookie": cookie + n, "match": {"in_port": 1 + n % 3, "dl_vlan": 1 + n},
                      "actions": [{"action_type": "output", "port": 1 + (n + 1) % 3}]}
                     for n in range(start, start + FLOWS_PER_REQUEST)]
            status = kytos.post(f"kytos/flow_manager/v2/flows/{switch.dpid}", {"flows": flows})
            assert status in (200, 202), status
        kytos.wait_for(lambda: len(switch.flows) == FLOWS, "every flow in the switch", 120)
        kytos.wait_for(lambda: switch.flow_stats_sent.count(FLOWS) >= 3, "three full flow tables listed", 60)
        kytos.wait_for(lambda: kytos.stats()["queued"] == 0, "the NApp idle")
        stats = kytos.stats()
    finally:
        if switch is not None:
            switch.close()
        if kytos.process is not None:
            kytos.terminate()
        kytos.stop()
        service.stop()
    # Read once kytosd has stopped (after its shutdown flush): the topic no longer grows.
    tables = by_name(broker.read_values("real_kytos_flows", 100_000), stats_name)
    in_kafka = [len(v["message"]["replies_flows"]) for v in tables]
    listed = switch.flow_stats_sent
    # Every table the switch listed is in Kafka, in order, but the one of_core may have been
    # reading when kytosd stopped.
    assert in_kafka == listed[: len(in_kafka)] and len(in_kafka) >= len(listed) - 1, (in_kafka, listed)
    full = [v for v in tables if len(v["message"]["replies_flows"]) == FLOWS]
    assert len(full) >= 2
    sizes = [len(json.dumps(value["message"], separators=(",", ":"))) for value in full]
    print(f"flow statistics of {FLOWS} flows: {min(sizes)} to {max(sizes)} bytes of JSON each")
    assert min(sizes) > 1024 * 1024
    assert stats["dropped"] == 0 and stats["too_large"] == 0, stats
    for value in full:
        cookies = sorted(flow["cookie"] for flow in value["message"]["replies_flows"])
        assert cookies == [cookie + n for n in range(FLOWS)], "every flow, each 64-bit cookie whole"
