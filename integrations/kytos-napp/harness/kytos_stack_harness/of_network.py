"""An emulated OpenFlow 1.3 network: `EmulatedSwitch`es joined by links. A packet that the
controller sends out of a linked port (of_lldp's LLDP) arrives on the peer's port as a PacketIn
while the link is up; taking a link down or up sends a PortStatus from both ends, as a cut fibre
does. The topologies are those of kytos-ng's end-to-end tests (`ring`: Mininet's port numbering
of their RingTopo, hosts first)."""

from __future__ import annotations

from dataclasses import dataclass

from .of_switch import EmulatedSwitch


@dataclass(frozen=True)
class Link:
    switch_a: int
    port_a: int
    switch_b: int
    port_b: int

    def ends(self) -> tuple[tuple[int, int], tuple[int, int]]:
        return (self.switch_a, self.port_a), (self.switch_b, self.port_b)


#: Switch number -> its port count, and the links between switches.
TOPOLOGIES: dict[str, tuple[dict[int, int], tuple[Link, ...]]] = {
    # s1: h11, h12, s2, s3; s2: h2, s1, s3; s3: h3, s2, s1.
    "ring": ({1: 4, 2: 3, 3: 3}, (Link(1, 3, 2, 2), Link(2, 3, 3, 2), Link(3, 3, 1, 4))),
    # s1: h1, s2; s2: h2, s1, s3; s3: h3, s2.
    "line": ({1: 2, 2: 3, 3: 2}, (Link(1, 2, 2, 2), Link(2, 3, 3, 2))),
}


class EmulatedNetwork:
    def __init__(self, controller_port: int, topology: str = "ring") -> None:
        port_counts, self.links = TOPOLOGIES[topology]
        self._peer: dict[tuple[int, int], tuple[int, int]] = {}
        for link in self.links:
            a, b = link.ends()
            self._peer[a], self._peer[b] = b, a
        self.switches = {
            number: EmulatedSwitch(number, ports, controller_port, reconnect=True, outlet=self._carry)
            for number, ports in port_counts.items()
        }

    def _carry(self, switch: int, port: int, data: bytes) -> None:
        peer = self._peer.get((switch, port))
        if peer is None:
            return
        # A down link carries nothing: of_lldp then stops hearing from the peer.
        if self.switches[switch].port_is_up(port) and self.switches[peer[0]].port_is_up(peer[1]):
            self.switches[peer[0]].packet_in(peer[1], data)

    def set_link(self, link: Link, up: bool) -> None:
        for switch, port in link.ends():
            self.switches[switch].set_port(port, up)

    def all_links_up(self) -> None:
        for link in self.links:
            if not all(self.switches[s].port_is_up(p) for s, p in link.ends()):
                self.set_link(link, up=True)

    def connected(self) -> bool:
        return all(switch.connected() for switch in self.switches.values())

    def delete_flows(self) -> None:
        for switch in self.switches.values():
            switch.delete_flows()

    def stop(self) -> None:
        for switch in self.switches.values():
            switch.close()
