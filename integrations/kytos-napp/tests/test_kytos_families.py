"""Each family of Kytos-ng's events, emitted by the whole NApp stack in a real kytosd over an
emulated ring of three OpenFlow 1.3 switches, compared with what Kytos holds (read through its
own REST API); then every permitted event that an independent recording NApp saw on Kytos' bus is
looked up in Kafka. What reached Kafka is read by Kafka's own console consumer. The records also
rebuild the event catalogue (docs/kytos-event-catalogue.*) and fail on drift from it, and each must
match the consumers' contract (asyncapi.json), checked here and by the two example consumers."""

import base64
import json
import os
import subprocess
import sys
import urllib.request
from datetime import UTC, datetime, timedelta

import event_catalogue
import pytest
from kytos_stack_harness.kytosd import skip_unless_ready
from kytos_stack_harness.service_under_test import NODE, ROOT
from kytos_stack_harness.stack import PERMITTED, RECORDER_EVENTS

pytestmark = pytest.mark.e2e
skip_unless_ready(with_stack=True)

# The emulated network needs pyof, which the skip above vouches for.
from kytos_stack_harness.full_stack import FullStack, full_stack  # noqa: E402

sys.path.insert(0, str(ROOT / "examples" / "python"))
from consumer import RecordValidator  # noqa: E402 (the example consumer's check, on pytest's path above)

CONTRACT = ROOT / "asyncapi.json"

TOPIC = "kytos_families"
S1, S2, S3 = (f"00:00:00:00:00:00:00:0{n}" for n in (1, 2, 3))
#: OpenFlow 1.3's OXM field numbers, and the bit a VLAN id's match carries.
OXM_IN_PORT, OXM_VLAN_VID, VID_PRESENT = 0, 6, 0x1000


class Stack:
    def __init__(self, running: FullStack):
        self.kytos, self.net, self.kafka, self.service = running.kytos, running.net, running.kafka, running.service

    def get(self, path):
        return self.kytos.api("GET", path)[1]

    def records(self, name, condition=lambda values: True, what=None, timeout=60):
        """The Kafka records of event `name`, once `condition` holds for them."""
        values = self.kafka.wait_for(lambda all_values: condition(by_name(all_values, name)), what or name,
                                     timeout)
        return by_name(values, name)

    def link_between(self, interface_a, interface_b):
        """The emulated link whose ends are these two interfaces (Kytos' ids)."""
        wanted = {port_of(interface_a), port_of(interface_b)}
        return next(link for link in self.net.links if set(link.ends()) == wanted)


def port_of(interface_id):
    """`00:00:00:00:00:00:00:01:3` as the emulated network numbers it: (1, 3)."""
    dpid, port = interface_id.rsplit(":", 1)
    return int(dpid.replace(":", ""), 16), int(port)


def stamped(value):
    """When Kytos emitted the record's event."""
    return datetime.fromisoformat(value["timestamp"].replace("Z", "+00:00"))


def by_name(values, name):
    return [value["message"] for value in values if value["event"] == name]


@pytest.fixture(scope="module")
def stack(broker):
    # warn: the service checks every event against the contract too, and counts what departs.
    with full_stack(broker, TOPIC, workdir_prefix="kytos-families-", EVENT_SCHEMA_VALIDATION="warn") as running:
        stack = Stack(running)
        stack.kytos.wait_for(lambda: len([link for link in stack.get("kytos/topology/v3/links")["links"].values()
                                          if link["active"]]) == 3, "the ring's three links discovered", 60)
        yield stack


def test_topology_links_and_interfaces_match_kytos(stack):
    links = stack.get("kytos/topology/v3/links")["links"]
    up = stack.records("kytos/topology.link_up", lambda found: {m["link"]["id"] for m in found} >= set(links))
    assert {m["link"]["id"] for m in up} == set(links)
    for message in up:
        link = links[message["link"]["id"]]
        for end in ("endpoint_a", "endpoint_b"):
            assert message["link"][end]["id"] == link[end]["id"]
    interfaces = stack.get("kytos/topology/v3/interfaces")["interfaces"]
    created = stack.records("kytos/of_core.switch.interfaces.created",
                            lambda found: len({i["id"] for m in found for i in m["interfaces"]}) >= len(interfaces))
    assert {i["id"]: i["port_number"] for m in created for i in m["interfaces"]} == {
        i["id"]: i["port_number"] for i in interfaces.values()}

    # s1:3-s2:2 carries no circuit yet: a cut there is seen at both ends and by topology.
    link = stack.link_between(f"{S1}:3", f"{S2}:2")
    link_id = next(key for key, held in links.items()
                   if {held["endpoint_a"]["id"], held["endpoint_b"]["id"]} == {f"{S1}:3", f"{S2}:2"})
    stack.net.set_link(link, up=False)
    down = stack.records("kytos/topology.link_down", lambda found: any(m["link"]["id"] == link_id for m in found))
    in_kytos = stack.get("kytos/topology/v3/links")["links"][link_id]
    assert [m["link"]["active"] for m in down if m["link"]["id"] == link_id] == [in_kytos["active"]] == [False]
    ends_down = stack.records(
        "kytos/of_core.switch.interface.link_down",
        lambda found: {m["interface"]["id"] for m in found} >= {f"{S1}:3", f"{S2}:2"})
    for message in ends_down:
        assert message["interface"]["active"] is stack.get("kytos/topology/v3/interfaces")["interfaces"][
            message["interface"]["id"]]["active"] is False
    stack.net.set_link(link, up=True)
    stack.records("kytos/topology.link_up", lambda found: sum(m["link"]["id"] == link_id for m in found) == 2,
                  "the link up again")
    stack.kytos.wait_for(lambda: stack.get("kytos/topology/v3/links")["links"][link_id]["active"], "link active")


def test_mef_eline_circuit_created_deployed_failed_over_and_deleted_as_kytos_holds_it(stack):
    evc = {"name": "families_evc", "enabled": True, "dynamic_backup_path": True,
           "uni_a": {"interface_id": f"{S1}:1", "tag": {"tag_type": "vlan", "value": 300}},
           "uni_z": {"interface_id": f"{S3}:1", "tag": {"tag_type": "vlan", "value": 300}}}
    status, answer = stack.kytos.api("POST", "kytos/mef_eline/v2/evc/", evc)
    assert status == 201, answer
    evc_id = answer["circuit_id"]

    def held():
        return stack.get(f"kytos/mef_eline/v2/evc/{evc_id}")

    def same_as_kytos(message, circuit):
        assert message["evc_id"] == message["id"] == circuit["id"] == evc_id
        for field in ("name", "enabled", "uni_a", "uni_z"):
            assert message[field] == circuit[field], field
        assert message["metadata"] == circuit["metadata"]

    for name in ("kytos/mef_eline.created", "kytos/mef_eline.deployed"):
        [message] = stack.records(name, lambda found: any(m["evc_id"] == evc_id for m in found))
        same_as_kytos(message, held())
    stack.kytos.wait_for(lambda: held()["active"] and held()["failover_path"], "a failover path", 60)
    circuit = held()
    # The ring's direct link s1-s3 is the shortest path; the failover goes round through s2.
    [hop] = circuit["current_path"]
    stack.net.set_link(stack.link_between(hop["endpoint_a"]["id"], hop["endpoint_b"]["id"]), up=False)
    [failover] = stack.records("kytos/mef_eline.failover_link_down", lambda found: any(evc_id in m for m in found))
    stack.kytos.wait_for(lambda: held()["current_path"] != circuit["current_path"], "the circuit moved")
    moved = held()
    assert moved["active"] and moved["current_path"] == circuit["failover_path"]
    same_as_kytos(failover[evc_id], moved)
    # The flows that moved it, as mef_eline asked flow_manager for them: at the UNIs' switches (the
    # failover path's transit flows were installed beforehand), each one stored, cookie for cookie.
    flows = failover[evc_id]["flows"]
    assert set(flows) == {S1, S3}, set(flows)
    for dpid, listed in flows.items():
        stored = {entry["flow"]["cookie"] for entry in stack.get(
            f"kytos/flow_manager/v2/stored_flows?dpid={dpid}&state=installed")[dpid]}
        assert {flow["cookie"] for flow in listed} <= stored, dpid
        assert all(flow["cookie"] >= 2**63 for flow in listed), "mef_eline's cookies use the 64th bit"
    # With s1-s3 down the ring has no second path, so mef_eline's consistency round (every 5 s here)
    # asks for a failover path it cannot have; held until then, the event comes in every run. One
    # from before the link went down (between deploy and failover path) does not count.
    def asked_while_down(values):
        down_at = max(stamped(value) for value in values
                      if value["event"] == "kytos/mef_eline.failover_link_down" and evc_id in value["message"])
        return [value["message"] for value in values if value["event"] == "kytos/mef_eline.need_failover"
                and value["message"]["evc_id"] == evc_id and stamped(value) > down_at]

    values = stack.kafka.wait_for(asked_while_down, "need_failover while s1-s3 is down")
    need = asked_while_down(values)[0]
    same_as_kytos(need, held())
    assert need["active"] is True and not held()["failover_path"]
    stack.net.set_link(stack.link_between(hop["endpoint_a"]["id"], hop["endpoint_b"]["id"]), up=True)

    status, _ = stack.kytos.api("DELETE", f"kytos/mef_eline/v2/evc/{evc_id}")
    assert status == 200
    [deleted] = stack.records("kytos/mef_eline.deleted", lambda found: any(m["evc_id"] == evc_id for m in found))
    gone = held()
    assert gone["archived"] is True and gone["active"] is False
    same_as_kytos(deleted, gone)


def test_flow_manager_flows_added_and_removed_match_stored_flows_cookie_for_cookie(stack):
    # Cookies above 2**63 and 2**53: neither a signed 64-bit integer nor a double holds them.
    cookies = [0xFEDC_BA98_7654_3210 + n for n in range(5)]
    flows = [{"priority": 30000 + n, "cookie": cookie, "match": {"in_port": 1, "dl_vlan": 3000 + n},
              "actions": [{"action_type": "output", "port": 2}]} for n, cookie in enumerate(cookies)]
    status, _ = stack.kytos.api("POST", f"kytos/flow_manager/v2/flows/{S2}", {"flows": flows})
    assert status == 202

    def installed():
        return {entry["flow"]["cookie"]: entry for entry in stack.get(
            f"kytos/flow_manager/v2/stored_flows?dpid={S2}&state=installed")[S2]}

    added = stack.records("kytos/flow_manager.flow.added",
                          lambda found: {m["flow"]["cookie"] for m in found} >= set(cookies))
    in_kytos = installed()
    for message in added:
        cookie = message["flow"]["cookie"]
        if cookie in cookies:
            assert message["datapath"]["dpid"] == S2
            assert message["flow"]["priority"] == in_kytos[cookie]["flow"]["priority"]
            assert message["flow"]["match"] == in_kytos[cookie]["flow"]["match"]
    # Every flow Kytos holds as installed on s2 was announced, with its cookie digit for digit
    # (mef_eline's and of_lldp's too).
    announced = {m["flow"]["cookie"] for m in added if m["datapath"]["dpid"] == S2}
    assert set(in_kytos) <= announced, set(in_kytos) - announced

    # Deleted through flow_manager's API: gone from the switch and from Kytos' installed flows, and
    # no flow.removed (Kytos-ng sets no OFPFF_SEND_FLOW_REM, so a switch reports no removal; see
    # the NApp README, Operations).
    status, _ = stack.kytos.api("DELETE", f"kytos/flow_manager/v2/flows/{S2}",
                                {"flows": [{"cookie": cookie, "cookie_mask": 0xFFFF_FFFF_FFFF_FFFF}
                                           for cookie in cookies[:2]]})
    assert status == 202
    stack.kytos.wait_for(lambda: not set(cookies[:2]) & set(installed()), "the flows gone from Kytos")
    # A flow the switch removes on its own and reports: flow.removed, as Kytos stored the flow.
    expired = cookies[2]
    stored = installed()[expired]["flow"]
    stack.net.switches[2].expire_flow(expired)
    removed = stack.records("kytos/flow_manager.flow.removed",
                            lambda found: any(m["flow"]["cookie"] == expired for m in found))
    assert [m["flow"]["cookie"] for m in removed] == [expired], "only the reported removal"
    [message] = removed
    assert message["datapath"]["dpid"] == S2
    # Here `flow` is the switch's OpenFlow message as pyof reads it: its match in OXM fields.
    fields = {tlv["oxm_field_and_mask"] >> 1: int.from_bytes(base64.b64decode(tlv["oxm_value"]), "big")
              for tlv in message["flow"]["match"]["oxm_match_fields"]}
    assert message["flow"]["priority"] == stored["priority"]
    assert fields == {OXM_IN_PORT: stored["match"]["in_port"], OXM_VLAN_VID: VID_PRESENT | stored["match"]["dl_vlan"]}


def test_of_lldp_liveness_up_matches_its_rest_api(stack):
    interfaces = [f"{S1}:3", f"{S2}:2", f"{S2}:3", f"{S3}:2", f"{S3}:3", f"{S1}:4"]
    assert stack.kytos.api("POST", "kytos/of_lldp/v1/polling_time/", {"polling_time": 1})[0] == 200
    assert stack.kytos.api("POST", "kytos/of_lldp/v1/liveness/enable/", {"interfaces": interfaces})[0] == 200
    stack.kytos.wait_for(lambda: [entry["status"] for entry in stack.get("kytos/of_lldp/v1/liveness/")[
        "interfaces"]] == ["up"] * len(interfaces), "liveness up on the ring's interfaces", 60)
    up = stack.records("kytos/of_lldp.liveness.up",
                       lambda found: {i["id"] for m in found for i in (m["interface_a"], m["interface_b"])}
                       >= set(interfaces))
    in_kytos = {entry["id"]: entry["status"] for entry in stack.get("kytos/of_lldp/v1/liveness/")["interfaces"]}
    assert {i["id"] for m in up for i in (m["interface_a"], m["interface_b"])} == set(in_kytos) == set(interfaces)
    pairs = stack.get("kytos/of_lldp/v1/liveness/pair")["pairs"]
    assert {frozenset((p["interface_a"]["id"], p["interface_b"]["id"])) for p in pairs} == {
        frozenset((m["interface_a"]["id"], m["interface_b"]["id"])) for m in up}
    assert stack.kytos.api("POST", "kytos/of_lldp/v1/liveness/disable/", {"interfaces": interfaces})[0] == 200


def test_maintenance_interruptions_start_and_end_as_its_window_says(stack):
    now = datetime.now(UTC)
    window = {"description": "kafka-events families", "switches": [S2],
              "start": (now + timedelta(seconds=3)).strftime("%Y-%m-%dT%H:%M:%S+0000"),
              "end": (now + timedelta(seconds=8)).strftime("%Y-%m-%dT%H:%M:%S+0000")}
    status, answer = stack.kytos.api("POST", "kytos/maintenance/v1", window)
    assert status == 201, answer
    window_id = answer["mw_id"]
    [start] = stack.records("topology.interruption.start", lambda found: found)
    [end] = stack.records("topology.interruption.end", lambda found: found, timeout=60)
    held = stack.get(f"kytos/maintenance/v1/{window_id}")
    stack.kytos.wait_for(lambda: stack.get(f"kytos/maintenance/v1/{window_id}")["status"] == "finished",
                         "the window finished")
    s2_interfaces = sorted(i for i in stack.get("kytos/topology/v3/interfaces")["interfaces"] if i.startswith(S2))
    links_of_s2 = sorted(link_id for link_id, link in stack.get("kytos/topology/v3/links")["links"].items()
                         if S2 in (link["endpoint_a"]["switch"], link["endpoint_b"]["switch"]))
    for message in (start, end):
        assert message["type"] == "maintenance"
        assert message["switches"] == held["switches"] == [S2]
        assert sorted(message["interfaces"]) == s2_interfaces
        assert sorted(message["links"]) == links_of_s2


def test_every_permitted_event_kytos_dispatched_is_in_kafka_and_the_catalogue_holds(stack):
    recorded = stack.get(RECORDER_EVENTS)
    permitted = {event["id"]: event["name"] for event in recorded if PERMITTED.match(event["name"])}
    stack.kytos.wait_for(lambda: stack.kytos.stats()["queued"] == 0, "the NApp idle")
    values = stack.kafka.wait_for(lambda found: set(permitted) <= {v["id"] for v in found},
                                  "every permitted event the recorder saw", 60)
    in_kafka = {value["id"]: value["event"] for value in values}
    assert {event_id: in_kafka[event_id] for event_id in permitted} == permitted
    assert not [name for name in in_kafka.values() if not PERMITTED.match(name)], "a denied event left"
    stats = stack.kytos.stats()
    assert stats["dropped"] == 0 and stats["unserializable"] == 0, stats
    families = {event_catalogue.emitter(name) for name in permitted.values()}
    assert families >= {"topology", "mef_eline", "flow_manager", "of_lldp", "maintenance", "of_core"}, families
    print(f"{len(recorded)} events dispatched, {len(permitted)} permitted, all in Kafka; "
          f"{len(set(permitted.values()))} names")

    seen = event_catalogue.build(values)
    committed = event_catalogue.load()
    if os.environ.get("KAFKA_EVENTS_WRITE_CATALOGUE") == "1":
        event_catalogue.write(event_catalogue.merge(committed, seen))
    else:
        problems = event_catalogue.drift(committed, seen)
        assert not problems, ("the event catalogue drifted (KAFKA_EVENTS_WRITE_CATALOGUE=1 writes it):\n"
                              + "\n".join(problems))
        assert event_catalogue.CATALOGUE_MD.read_text() == event_catalogue.markdown(committed)



def test_every_record_matches_the_consumers_contract(stack):
    values = stack.kafka.values()
    validator = RecordValidator(json.loads(CONTRACT.read_text()))
    mismatches = [(value["event"], validator.mismatch(value)) for value in values if validator.mismatch(value)]
    assert not mismatches, mismatches
    assert len(values) > 100, len(values)
    with urllib.request.urlopen(f"http://127.0.0.1:{stack.service.port}/metrics", timeout=10) as answer:
        metrics = answer.read().decode()
    assert "kafka_events_schema_mismatches_total{" not in metrics, "the service counted a mismatch"
    print(f"{len(values)} records, {len({value['event'] for value in values})} names, all match asyncapi.json")


@pytest.mark.parametrize("consumer", ["python", "typescript"])
def test_the_example_consumers_read_every_record_and_find_it_matches(stack, broker, consumer):
    values = stack.kafka.values()
    command = {
        "python": [sys.executable, str(ROOT / "examples" / "python" / "consumer.py")],
        "typescript": [NODE, str(ROOT / "dist" / "examples" / "typescript" / "consumer.js")],
    }[consumer]
    run = subprocess.run([*command, "--brokers", f"127.0.0.1:{broker.port}", "--topic", TOPIC,
                          "--contract", str(CONTRACT), "--group", f"example-{consumer}",
                          "--max", str(len(values)), "--idle-seconds", "15"],
                         check=False, timeout=120, capture_output=True, text=True)
    lines = run.stdout.splitlines()
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    assert all(line.startswith("ok ") for line in lines), [line for line in lines if not line.startswith("ok ")]
    # Kytos goes on sending (statistics): the consumer's first records, partition by partition,
    # are as many as were counted, each a record of the topic.
    ids = {line.split()[2] for line in lines}
    assert len(ids) == len(lines) == len(values), (len(ids), len(lines), len(values))
    assert ids <= {value["id"] for value in stack.kafka.values()}
