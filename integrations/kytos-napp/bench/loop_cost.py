"""What the NApp costs the controller's event loop per event (offer: decide, serialize, queue),
and a 32,000-event burst like a 16,000-flow install's (a FlowMod out and a flow event per flow).
A figure, not a test: run it with the NApp's test virtualenv (run-tests.sh makes it):

    .cache/napp-venv/bin/python integrations/kytos-napp/bench/loop_cost.py
"""

import sys
import time
from pathlib import Path

here = Path(__file__).resolve().parent
sys.path[:0] = [str(here.parent / "tests" / "standin"), str(here.parent / "tests"), str(here.parent)]

from kytos.core import KytosEvent  # noqa: E402
from kytos_stack_harness.of_switch import EmulatedSwitch  # noqa: E402
from pyof.v0x04.common.utils import unpack_message  # noqa: E402
from sample_events import sample_events  # noqa: E402

from webhook_forwarder.forwarder import Forwarder, ForwarderSettings  # noqa: E402
from webhook_forwarder.webhook_client import WebhookClient, WebhookSettings  # noqa: E402

SERVICE_DEFAULTS = {
    "a": {"pattern": "kytos[./](.*)", "action": "allow", "mutable": False},
    **{str(n): {"pattern": p, "action": "deny", "mutable": False} for n, p in enumerate((
        r"kytos/of_core\.v0x04\.messages\.", r"kytos/flow_manager\.messages\.out\.",
        r"kytos/of_lldp\.messages\.out\.", r"kytos/core\.openflow\.raw\."))},
}


def forwarder(learned: bool) -> Forwarder:
    built = Forwarder(ForwarderSettings(), WebhookClient(WebhookSettings(url="http://127.0.0.1:9/x")))
    if learned:
        built.rules.learn(SERVICE_DEFAULTS)
    return built


def per_event_us(target: Forwarder, events: list, rounds: int) -> float:
    started = time.perf_counter()
    for _ in range(rounds):
        for event in events:
            target.offer(event)
    return (time.perf_counter() - started) / (rounds * len(events)) * 1e6


def main() -> None:
    switch = EmulatedSwitch.__new__(EmulatedSwitch)
    switch.number, switch.dpid = 1, "00:00:00:00:00:00:00:01"
    reply = unpack_message(switch.features_reply(7).pack())
    raw = KytosEvent(name="kytos/of_core.v0x04.messages.in.ofpt_features_reply",
                     content={"message": reply, "source": "connection"})
    flow_mod = KytosEvent(name="kytos/flow_manager.messages.out.ofpt_flow_mod",
                          content={"message": reply, "destination": "connection"})
    samples = sample_events()
    print("| event | rules learned | us per event on the loop |")
    print("| --- | --- | ---: |")
    for learned in (False, True):
        print(f"| sample events (switch, link, EVC, topology) | {learned} | "
              f"{per_event_us(forwarder(learned), samples, 200):.1f} |")
        print(f"| raw OpenFlow FeaturesReply (denied by default) | {learned} | "
              f"{per_event_us(forwarder(learned), [raw], 5000):.1f} |")
    for learned in (False, True):
        target = forwarder(learned)
        flow_added = [KytosEvent(name="kytos/flow_manager.flow.added", content={"flow": {"id": str(n)}})
                      for n in range(16_000)]
        burst = [event for pair in zip([flow_mod] * 16_000, flow_added, strict=True) for event in pair]
        started = time.perf_counter()
        for event in burst:
            target.offer(event)
        took = time.perf_counter() - started
        print(f"\n32,000-event burst, rules learned {learned}: {took * 1000:.0f} ms on the loop; "
              f"{target.queued} queued, {target.stats.filtered_locally} filtered locally, "
              f"{target.stats.dropped_queue_full} dropped (queue of {target.settings.queue_capacity})")


main()
