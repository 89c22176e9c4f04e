"""kytos-ng's end-to-end helper `tests.helpers.NetworkTest`, the methods its Kafka test calls, on
an `EmulatedNetwork` instead of Mininet and on the real Kytos-ng stack (`RealKytos` with every
NApp, then this NApp) instead of a kytosd installed system-wide. What it runs against comes from
the environment the harness sets (`KAFKA_EVENTS_KYTOS_STACK`: a JSON object with `workdir` and
`napp_env`), since the upstream test builds it with the controller's address alone."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from .kytosd import RealKytos
from .of_network import EmulatedNetwork
from .stack import FULL_STACK, KYTOS_API_PORT


class NetworkTest:
    def __init__(self, controller_ip: str, topo_name: str = "ring", **_options) -> None:
        assert controller_ip == "127.0.0.1", "the emulated network talks to a controller on loopback"
        stack = json.loads(os.environ["KAFKA_EVENTS_KYTOS_STACK"])
        self.kytos = RealKytos(Path(stack["workdir"]), stack["napp_env"], napps=FULL_STACK,
                               settings=stack.get("settings"), api_port=KYTOS_API_PORT)
        self.net = EmulatedNetwork(self.kytos.of_port, topo_name)

    def start(self, start_controller: bool = True) -> None:
        if start_controller:
            self.start_controller(clean_config=True)

    def start_controller(self, clean_config: bool = False, enable_all: bool = False, del_flows: bool = False,
                         **_options) -> None:
        if self.kytos.running:
            self.kytos.terminate()
        if clean_config:
            self.kytos.restart_database()
        if clean_config or del_flows:
            self.net.delete_flows()
        self.kytos.start(enable_all=enable_all)

    def wait_switches_connect(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while not self.net.connected():
            if time.monotonic() > deadline:
                states = {number: switch.connected() for number, switch in self.net.switches.items()}
                raise TimeoutError(f"switches not connected within {timeout} s: {states}")
            time.sleep(0.2)

    def config_all_links_up(self) -> None:
        self.net.all_links_up()

    def stop(self) -> None:
        self.net.stop()
        try:
            if self.kytos.running:
                self.kytos.terminate()
        finally:
            self.kytos.stop()
