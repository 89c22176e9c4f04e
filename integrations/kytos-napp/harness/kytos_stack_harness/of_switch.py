"""A small OpenFlow 1.3 switch written with python-openflow: enough of one for Kytos-ng's of_core
to complete a handshake (Hello, FeaturesReply, the port descriptions) and keep it alive, for
flow_manager to install flows that the switch then lists in its flow statistics, and, inside an
`EmulatedNetwork`, for of_lldp to find its links (a PacketOut leaving a linked port arrives as a
PacketIn on the peer's port). With `reconnect`, it connects again whenever the controller goes
away, as Open vSwitch does, keeping its flows."""

from __future__ import annotations

import socket
import struct
import threading
import time
from collections.abc import Callable

from pyof.foundation.basic_types import DPID, HWAddress
from pyof.v0x04.asynchronous.flow_removed import FlowRemoved, FlowRemovedReason
from pyof.v0x04.asynchronous.packet_in import PacketIn, PacketInReason
from pyof.v0x04.asynchronous.port_status import PortReason, PortStatus
from pyof.v0x04.common.flow_match import Match, OxmOfbMatchField, OxmTLV
from pyof.v0x04.common.header import Type
from pyof.v0x04.common.port import ListOfPorts, Port, PortFeatures, PortState
from pyof.v0x04.common.utils import unpack_message
from pyof.v0x04.controller2switch.barrier_reply import BarrierReply
from pyof.v0x04.controller2switch.common import MultipartType
from pyof.v0x04.controller2switch.features_reply import Capabilities, FeaturesReply
from pyof.v0x04.controller2switch.flow_mod import FlowModCommand
from pyof.v0x04.controller2switch.multipart_reply import Desc, FlowStats, MultipartReply, MultipartReplyFlags
from pyof.v0x04.symmetric.echo_reply import EchoReply
from pyof.v0x04.symmetric.hello import Hello

#: Where a packet leaving (switch number, port) goes: None, or a function of its bytes.
PacketOutlet = Callable[[int, int, bytes], None]


class EmulatedSwitch:
    def __init__(self, number: int, ports: int, controller_port: int, reconnect: bool = False,
                 outlet: PacketOutlet | None = None) -> None:
        self.number = number
        self.dpid = f"00:00:00:00:00:00:00:{number:02x}"
        self.ports = [self._port(port) for port in range(1, ports + 1)]
        self._ports_down: set[int] = set()
        self._controller_port = controller_port
        self._reconnect = reconnect
        self._outlet = outlet
        self._closed = False
        self._lock = threading.Lock()
        self._handshaken = threading.Event()
        #: The flow table: (table, priority, packed match) -> the FlowMod that added the flow.
        self.flows: dict[tuple[int, int, bytes], object] = {}
        #: How many flows each flow statistics reply listed, in order.
        self.flow_stats_sent: list[int] = []
        # A switch that reconnects also waits for its controller to come up, as Open vSwitch does.
        self._socket = self._connect(timeout=10) if not reconnect else None
        self._thread = threading.Thread(target=self._run, daemon=True, name=f"switch-{number}")
        self._thread.start()

    def connected(self) -> bool:
        """Whether the controller asked for this switch's features on the current connection."""
        return self._handshaken.is_set()

    def _connect(self, timeout: float) -> socket.socket:
        connection = socket.create_connection(("127.0.0.1", self._controller_port), timeout=timeout)
        connection.settimeout(None)
        self._handshaken.clear()
        with self._lock:
            connection.sendall(Hello().pack())
        return connection

    def _run(self) -> None:
        while True:
            if self._socket is None:
                self._socket = self._connect_again()
                if self._socket is None:
                    return
            self._serve()
            self._handshaken.clear()
            if self._closed or not self._reconnect:
                return
            self._socket.close()
            self._socket = None

    def _connect_again(self) -> socket.socket | None:
        while not self._closed:
            try:
                return self._connect(timeout=2)
            except OSError:
                time.sleep(0.3)
        return None

    def port_name(self, port: int) -> str:
        return f"s{self.number}-eth{port}"

    def _port(self, number: int) -> Port:
        return Port(
            port_no=number,
            hw_addr=HWAddress(f"00:00:00:00:{self.number:02x}:{number:02x}"),
            name=self.port_name(number),
            config=0,
            state=PortState.OFPPS_LIVE,
            curr=PortFeatures.OFPPF_10GB_FD | PortFeatures.OFPPF_COPPER,
            advertised=0,
            supported=0,
            peer=0,
            curr_speed=10_000_000,
            max_speed=10_000_000,
        )

    def features_reply(self, xid: int) -> FeaturesReply:
        return FeaturesReply(
            xid=xid,
            datapath_id=DPID(self.dpid),
            n_buffers=256,
            n_tables=254,
            auxiliary_id=0,
            capabilities=Capabilities.OFPC_FLOW_STATS | Capabilities.OFPC_PORT_STATS,
            reserved=0,
        )

    def port_down(self, number: int) -> None:
        """Tells the controller that a port went down (an OFPT_PORT_STATUS)."""
        self.set_port(number, up=False)

    def set_port(self, number: int, up: bool) -> None:
        """Takes a port down or up, and says so to the controller (an OFPT_PORT_STATUS)."""
        port = self._port(number)
        port.state = PortState.OFPPS_LIVE if up else PortState.OFPPS_LINK_DOWN
        self.ports[number - 1] = port
        if up:
            self._ports_down.discard(number)
        else:
            self._ports_down.add(number)
        self._send(PortStatus(reason=PortReason.OFPPR_MODIFY, desc=port))

    def port_is_up(self, number: int) -> bool:
        return number not in self._ports_down

    def packet_in(self, port: int, data: bytes) -> None:
        """A packet that arrived on `port` and goes to the controller, as a table-miss would send it."""
        match = Match(oxm_match_fields=[OxmTLV(oxm_field=OxmOfbMatchField.OFPXMT_OFB_IN_PORT,
                                               oxm_value=struct.pack("!I", port))])
        self._send(PacketIn(xid=0, buffer_id=0xFFFFFFFF, total_len=len(data), reason=PacketInReason.OFPR_ACTION,
                            table_id=0, cookie=0, match=match, data=data))

    def delete_flows(self) -> None:
        self.flows.clear()

    def expire_flow(self, cookie: int) -> None:
        """The flow of `cookie` ends by its hard timeout, and the switch reports it (an
        OFPT_FLOW_REMOVED, as for a flow installed with OFPFF_SEND_FLOW_REM)."""
        key, flow = next((key, flow) for key, flow in self.flows.items() if int(flow.cookie) == cookie)
        del self.flows[key]
        self._send(FlowRemoved(xid=0, cookie=cookie, priority=flow.priority,
                               reason=FlowRemovedReason.OFPRR_HARD_TIMEOUT, table_id=flow.table_id,
                               duration_sec=60, duration_nsec=0, idle_timeout=flow.idle_timeout,
                               hard_timeout=flow.hard_timeout, packet_count=0, byte_count=0, match=flow.match))

    def close(self) -> None:
        self._closed = True
        connection = self._socket
        if connection is None:
            return
        try:
            connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        connection.close()

    def _send(self, message) -> None:
        """Sends to the controller; a message to a controller that went away is lost, as on a wire."""
        connection = self._socket
        if connection is None:
            return
        try:
            with self._lock:
                connection.sendall(message.pack())
        except OSError:
            pass

    def _serve(self) -> None:
        try:
            while True:
                header = self._read(8)
                length = struct.unpack("!H", header[2:4])[0]
                message = unpack_message(header + self._read(length - 8))
                self._answer(message)
        except (OSError, EOFError):
            return

    def _read(self, count: int) -> bytes:
        data = b""
        while len(data) < count:
            chunk = self._socket.recv(count - len(data))
            if not chunk:
                raise EOFError
            data += chunk
        return data

    def _answer(self, message) -> None:
        kind = message.header.message_type
        xid = message.header.xid
        if kind == Type.OFPT_FEATURES_REQUEST:
            self._send(self.features_reply(xid))
            self._handshaken.set()
        elif kind == Type.OFPT_ECHO_REQUEST:
            self._send(EchoReply(xid=xid, data=message.data))
        elif kind == Type.OFPT_BARRIER_REQUEST:
            self._send(BarrierReply(xid=xid))
        elif kind == Type.OFPT_MULTIPART_REQUEST:
            self._multipart(message, xid)
        elif kind == Type.OFPT_FLOW_MOD:
            self._flow_mod(message)
        elif kind == Type.OFPT_PACKET_OUT and self._outlet is not None:
            for action in message.actions:
                port = getattr(action, "port", None)
                if port is not None and int(port) <= len(self.ports):
                    self._outlet(self.number, int(port), message.data.value)

    def _flow_mod(self, flow_mod) -> None:
        command = int(flow_mod.command)
        key = (int(flow_mod.table_id), int(flow_mod.priority), flow_mod.match.pack())
        if command in (FlowModCommand.OFPFC_ADD.value, FlowModCommand.OFPFC_MODIFY.value):
            self.flows[key] = flow_mod
        elif command == FlowModCommand.OFPFC_DELETE_STRICT.value:
            self.flows.pop(key, None)
        elif command == FlowModCommand.OFPFC_DELETE.value:
            mask, cookie = int(flow_mod.cookie_mask), int(flow_mod.cookie)
            for stored_key, stored in list(self.flows.items()):
                if int(stored.cookie) & mask == cookie & mask:
                    del self.flows[stored_key]

    def _flow_stats(self, xid: int) -> None:
        """Every flow, in as many replies as it takes (an OpenFlow message holds 64 KiB)."""
        entries = []
        for n, flow in enumerate(list(self.flows.values())):
            entry = FlowStats(length=0, table_id=flow.table_id, duration_sec=60, duration_nsec=0,
                              priority=flow.priority, idle_timeout=flow.idle_timeout,
                              hard_timeout=flow.hard_timeout, flags=0, cookie=flow.cookie,
                              packet_count=n * 13, byte_count=n * 1517, match=flow.match,
                              instructions=flow.instructions)
            entry.length = entry.get_size()
            entries.append(entry)
        self.flow_stats_sent.append(len(entries))
        chunk = 400
        for start in range(0, max(len(entries), 1), chunk):
            more = start + chunk < len(entries)
            flags = MultipartReplyFlags.OFPMPF_REPLY_MORE.value if more else 0
            self._send(MultipartReply(xid=xid, multipart_type=MultipartType.OFPMP_FLOW.value, flags=flags,
                                      body=entries[start:start + chunk] or b""))

    def _multipart(self, request, xid: int) -> None:
        kind = request.multipart_type
        kind = kind.value if hasattr(kind, "value") else int(kind)
        if kind == MultipartType.OFPMP_DESC.value:
            body = Desc(
                mfr_desc="kafka-events tests",
                hw_desc="emulated",
                sw_desc="pyof",
                serial_num=str(self.number),
                dp_desc=f"switch {self.number}",
            )
        elif kind == MultipartType.OFPMP_PORT_DESC.value:
            body = ListOfPorts(self.ports)
        elif kind == MultipartType.OFPMP_FLOW.value:
            self._flow_stats(xid)
            return
        else:
            body = b""
        self._send(MultipartReply(xid=xid, multipart_type=kind, flags=0, body=body))
