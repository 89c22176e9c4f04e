"""Event storms in the real Kytos-ng (kytosd with the whole NApp stack over an emulated ring), with
and without this NApp, the service and a real broker behind it:

- flows: 16,000 flows pushed through flow_manager's REST API, in requests of FLOWS_PER_REQUEST
  to the ring's three switches in turn (see push_flows);
- flaps: one port changing state FLAPS times at FLAPS_PER_SECOND (each flap one PortStatus,
  down and up in turn);
- burst: the same flaps as fast as the switch's socket takes them, with kytos.conf as shipped,
  then (flaps-headroom, burst-headroom) with the msg_in and app buffers HEADROOM_MULTIPLIER times
  thread_pool_max_workers' "sb" and "app" instead of 10 and 20 times (Kytos-ng's deadlock: see
  docs/napp-storms.md).

Meanwhile a probe asks kytosd's REST API (topology's switch list) every PROBE_EVERY seconds:
its p90 with the NApp is compared with its p90 without it. Afterwards, every permitted event
that an event-recording NApp saw on Kytos' bus is looked up in Kafka, and the NApp's own counters
say what it dropped and what it cost the event loop. A figure, not a test (docs/napp-storms.md):
run it with the NApp's test virtualenv once run-tests.sh has prepared the real Kytos-ng and
installed the harness there:

    .cache/napp-venv/bin/python integrations/kytos-napp/bench/storms.py [flows|flaps ...]
"""

from __future__ import annotations

import json
import sys
import threading
import time
import urllib.request

from kytos_stack_harness.full_stack import full_stack
from kytos_stack_harness.kytosd import RealKytos, readiness
from kytos_stack_harness.of_network import EmulatedNetwork
from kytos_stack_harness.service_under_test import Broker
from kytos_stack_harness.stack import KYTOS_API_PORT, PERMITTED, RECORDER_EVENTS, TIMERS

FLOWS, FLOWS_PER_REQUEST = 16_000, 1_000
FLAPS, FLAPS_PER_SECOND = 8_000, 1_000
#: kytos.conf's event_buffer_conf for the msg_in and app buffers, as shipped, and the multiplier
#: that gives them headroom.
MSG_IN_QUEUE = ('"maxsize": "threadpool_sb",\n                "maxsize_multiplier": 10\n            }\n'
                '        },\n        "raw"')
APP_QUEUE = '"maxsize": "threadpool_app",\n                "maxsize_multiplier": 20'
HEADROOM_MULTIPLIER = 100
PROBE_EVERY = 0.05
SETTLED = 5
BACKGROUND_EVENTS_PER_SECOND = 20
#: kytos-ng's end-to-end timers, but of_core's statistics every 60 s as shipped: every 7 s, each
#: listing of thousands of flows made flow_manager's consistency check query mongowire again.
STORM_TIMERS = {**TIMERS, "of_core": {}}


class Probe(threading.Thread):
    """kytosd's REST API asked again and again: how long each answer took."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.latencies: list[float] = []
        self.failures = 0
        self.stopping = threading.Event()

    def run(self) -> None:
        url = f"http://127.0.0.1:{KYTOS_API_PORT}/api/kytos/topology/v3/switches"
        while not self.stopping.is_set():
            started = time.perf_counter()
            try:
                with urllib.request.urlopen(url, timeout=30) as answer:
                    answer.read()
                self.latencies.append(time.perf_counter() - started)
            except OSError:
                self.failures += 1
            self.stopping.wait(PROBE_EVERY)

    def stop(self) -> dict:
        self.stopping.set()
        self.join(timeout=60)
        ordered = sorted(self.latencies)
        return {"answers": len(ordered), "failures": self.failures,
                "p90_ms": 1000 * ordered[int(0.9 * (len(ordered) - 1))] if ordered else None,
                "max_ms": 1000 * ordered[-1] if ordered else None}


def push_flows(kytos: RealKytos, net: EmulatedNetwork) -> None:
    """FLOWS_PER_REQUEST at a time, to the ring's switches in turn (mongowire slows down with the
    flows stored per switch: one switch took 14,000 before a request timed out)."""
    before = sum(len(switch.flows) for switch in net.switches.values())
    for request, start in enumerate(range(0, FLOWS, FLOWS_PER_REQUEST)):
        number = 1 + request % len(net.switches)
        flows = [{"priority": 20000, "cookie": (0xAB << 56) + n, "match": {"in_port": 1, "dl_vlan": 1 + n % 4000,
                                                                          "dl_vlan_pcp": n // 4000},
                  "actions": [{"action_type": "output", "port": 2}]} for n in range(start, start + FLOWS_PER_REQUEST)]
        status = kytos.post(f"kytos/flow_manager/v2/flows/{net.switches[number].dpid}", {"flows": flows},
                            timeout=300)
        assert status == 202, status
    kytos.wait_for(lambda: sum(len(switch.flows) for switch in net.switches.values()) >= before + FLOWS,
                   "every flow in the switches", 600)


def flap_port(net: EmulatedNetwork, per_second: float | None) -> None:
    switch = net.switches[1]
    started = time.perf_counter()
    for flap in range(FLAPS):
        delay = started + flap / per_second - time.perf_counter() if per_second else 0
        if delay > 0:
            time.sleep(delay)
        switch.set_port(1, up=flap % 2 == 1)
    if not switch.port_is_up(1):
        switch.set_port(1, up=True)


HEADROOM = ((MSG_IN_QUEUE, MSG_IN_QUEUE.replace("10", str(HEADROOM_MULTIPLIER))),
            (APP_QUEUE, APP_QUEUE.replace("20", str(HEADROOM_MULTIPLIER))))
#: Each storm, and the kytos.conf edits it runs with.
STORMS = {
    "flows": (push_flows, ()),
    "flaps": (lambda _kytos, net: flap_port(net, FLAPS_PER_SECOND), ()),
    "burst": (lambda _kytos, net: flap_port(net, None), ()),
    "flaps-headroom": (lambda _kytos, net: flap_port(net, FLAPS_PER_SECOND), HEADROOM),
    "burst-headroom": (lambda _kytos, net: flap_port(net, None), HEADROOM),
}


def settled_recording(kytos: RealKytos) -> list[dict]:
    """What the recorder saw, once kytosd has caught up: over SETTLED seconds, no more events than
    the idle background (LLDP, statistics: about 11 a second) would bring."""
    recorded: list[dict] = []
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        latest = kytos.api("GET", RECORDER_EVENTS, timeout=60)[1]
        if recorded and len(latest) - len(recorded) < BACKGROUND_EVENTS_PER_SECOND * SETTLED:
            return latest
        recorded = latest
        time.sleep(SETTLED)
    return recorded


def delivered(kytos: RealKytos, kafka, recorded: list[dict]) -> dict:
    """Every permitted event the recorder saw, looked up in Kafka; the NApp's own counters."""
    kytos.wait_for(lambda: kytos.stats()["queued"] == 0, "the NApp idle", 300)
    permitted = {event["id"] for event in recorded if PERMITTED.match(event["name"])}
    try:
        values = kafka.wait_for(lambda found: permitted <= {v["id"] for v in found}, "every permitted event", 300)
    except AssertionError:
        values = kafka.values()  # the table says how many are missing
    stats = kytos.stats()
    return {
        "permitted": len(permitted),
        "in_kafka": len(permitted & {v["id"] for v in values}),
        "forwarder": {key: stats[key] for key in ("forwarded", "dropped", "filtered_locally", "events_seen",
                                                  "loop_seconds")},
        "napp_us_per_event": round(1e6 * stats["loop_seconds"] / stats["events_seen"], 1),
    }


def run(storm: str, with_napp: bool, broker: Broker) -> dict:
    cause, conf_edits = STORMS[storm]
    result: dict = {"storm": storm, "napp": with_napp, "exited": False}
    with full_stack(broker, f"storm_{storm}_{'napp' if with_napp else 'bare'}", workdir_prefix=f"storm-{storm}-",
                    forwarder=with_napp, settings=STORM_TIMERS, conf_edits=conf_edits) as stack:
        kytos, net = stack.kytos, stack.net
        time.sleep(5)  # LLDP finds the links, the first statistics come in
        idle = Probe()
        idle.start()
        time.sleep(5)
        result["idle"] = idle.stop()
        probe = Probe()
        probe.start()
        started = time.perf_counter()
        cause(kytos, net)
        result["storm_seconds"] = round(time.perf_counter() - started, 1)
        time.sleep(2)
        result["during"] = probe.stop()
        try:
            result["answers_after"] = kytos.api("GET", "kytos/topology/v3/switches", timeout=30)[0] == 200
        except OSError:
            result["answers_after"] = False
        if result["answers_after"]:
            recorded = settled_recording(kytos)
            result["dispatched"] = len(recorded)
            if with_napp:
                result.update(delivered(kytos, stack.kafka, recorded))
        net.stop()
        if not result["answers_after"]:
            kytos.stop()  # a kytosd that no longer answers is killed, not asked to stop
        else:
            try:
                kytos.terminate(timeout=120)
                result["exited"] = True
            except AssertionError:
                # Killed by terminate; what it said as it hung stays in its log.
                result["log"] = str(kytos.log)
    return result


def main() -> None:
    storms = sys.argv[1:] or list(STORMS)
    if not set(storms) <= set(STORMS):
        sys.exit(f"usage: storms.py [{' '.join(STORMS)} ...] (none: all of them)")
    reason = readiness(with_stack=True)
    if reason is not None:
        sys.exit(reason)
    broker = Broker()
    broker.start()
    results = []
    try:
        for storm in storms:
            for with_napp in (False, True):
                results.append(run(storm, with_napp, broker))
                print(json.dumps(results[-1]), flush=True)
    finally:
        broker.stop()
    print("\n| storm | NApp | storm s | REST p90 idle ms | REST p90 in the storm ms | max ms | probes failed "
          "| answers after | exits on SIGTERM | events dispatched | permitted, in Kafka | NApp dropped "
          "| NApp us/event on the loop |")
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: | --- | --- | ---: | ---: | ---: | ---: |")
    for r in results:
        napp, during = r.get("forwarder", {}), r["during"]
        print(f"| {r['storm']} | {'with' if r['napp'] else 'without'} | {r['storm_seconds']} | "
              f"{milliseconds(r['idle']['p90_ms'])} | {milliseconds(during['p90_ms'])} | "
              f"{milliseconds(during['max_ms'])} | {during['failures']} | {'yes' if r['answers_after'] else 'NO'} | "
              f"{'yes' if r['exited'] else 'NO'} | "
              f"{r.get('dispatched', '')} | "
              f"{r.get('permitted', '')}{', ' + str(r['in_kafka']) if 'in_kafka' in r else ''} | "
              f"{napp.get('dropped', '')} | {r.get('napp_us_per_event', '')} |")


def milliseconds(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}"

main()
