"""A small OpenFlow 1.3 switch written with python-openflow: enough of one for Kytos-ng's of_core
to complete a handshake (Hello, FeaturesReply, the port descriptions) and keep it alive, and for
flow_manager to install flows that the switch then lists in its flow statistics."""

from __future__ import annotations

import socket
import struct
import threading

from pyof.foundation.basic_types import DPID, HWAddress
from pyof.v0x04.asynchronous.port_status import PortReason, PortStatus
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


class EmulatedSwitch:
    def __init__(self, number: int, ports: int, controller_port: int) -> None:
        self.number = number
        self.dpid = f"00:00:00:00:00:00:00:{number:02x}"
        self.ports = [self._port(port) for port in range(1, ports + 1)]
        self._socket = socket.create_connection(("127.0.0.1", controller_port), timeout=10)
        self._socket.settimeout(None)
        self._lock = threading.Lock()
        #: The flow table: (table, priority, packed match) -> the FlowMod that added the flow.
        self.flows: dict[tuple[int, int, bytes], object] = {}
        #: How many flows each flow statistics reply listed, in order.
        self.flow_stats_sent: list[int] = []
        self._send(Hello())
        self._thread = threading.Thread(target=self._serve, daemon=True, name=f"switch-{number}")
        self._thread.start()

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
        port = self._port(number)
        port.state = PortState.OFPPS_LINK_DOWN
        self._send(PortStatus(reason=PortReason.OFPPR_MODIFY, desc=port))

    def close(self) -> None:
        try:
            self._socket.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self._socket.close()

    def _send(self, message) -> None:
        with self._lock:
            self._socket.sendall(message.pack())

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
        elif kind == Type.OFPT_ECHO_REQUEST:
            self._send(EchoReply(xid=xid, data=message.data))
        elif kind == Type.OFPT_BARRIER_REQUEST:
            self._send(BarrierReply(xid=xid))
        elif kind == Type.OFPT_MULTIPART_REQUEST:
            self._multipart(message, xid)
        elif kind == Type.OFPT_FLOW_MOD:
            self._flow_mod(message)

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
