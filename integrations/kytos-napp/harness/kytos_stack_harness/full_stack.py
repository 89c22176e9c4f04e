"""The whole stack the family tests and the storm bench run: the service (on a broker the caller
owns) with the default rules, Kafka's own consumer following its topic, kytosd with every NApp of
an operator's Kytos-ng and the event recorder (and this NApp, unless `forwarder=False`), and the
emulated ring of three switches connected to it."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

from .kytosd import SECRET, RealKytos, napp_env
from .of_network import EmulatedNetwork
from .service_under_test import Broker, Service, TopicFollower
from .stack import FULL_STACK, KYTOS_API_PORT, PRESETS, RECORDER, TIMERS


@dataclass(frozen=True)
class FullStack:
    kytos: RealKytos
    net: EmulatedNetwork
    #: Kafka's console consumer on the service's topic.
    kafka: TopicFollower
    service: Service


@contextmanager
def full_stack(broker: Broker, topic: str, *, workdir_prefix: str, forwarder: bool = True,
               settings: dict[str, dict[str, str]] = TIMERS, conf_edits: tuple[tuple[str, str], ...] = (),
               **service_settings: str) -> Iterator[FullStack]:
    """Runs the stack until the switches are connected, yields it, then takes it down in reverse:
    the switches, kytosd (SIGTERM when it still runs, as an operator stops it, so a kytosd that
    does not exit fails the caller), the consumer, the service. `settings` and `conf_edits` are
    RealKytos'; `service_settings` are the service's environment beside FILTER_PRESETS."""
    with ExitStack() as undo:
        service = Service(f"127.0.0.1:{broker.port}", SECRET, topic, FILTER_PRESETS=json.dumps(PRESETS),
                          **service_settings)
        undo.callback(service.stop)
        service.start()
        kafka = broker.follow(topic)
        undo.callback(kafka.close)
        kytos = RealKytos(Path(tempfile.mkdtemp(prefix=workdir_prefix)), napp_env(service),
                          napps=(*FULL_STACK, RECORDER), settings=settings, api_port=KYTOS_API_PORT,
                          forwarder=forwarder, conf_edits=conf_edits)
        undo.callback(kytos.stop)
        undo.callback(lambda: kytos.terminate() if kytos.running else None)
        net = EmulatedNetwork(kytos.of_port, "ring")
        undo.callback(net.stop)
        kytos.start(enable_all=True)
        kytos.wait_for(net.connected, "the ring's switches connected")
        yield FullStack(kytos, net, kafka, service)
