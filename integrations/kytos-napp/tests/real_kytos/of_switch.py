"""A small OpenFlow 1.3 switch written with python-openflow: enough of one for Kytos-ng's of_core
to complete a handshake (Hello, FeaturesReply, the port descriptions) and keep it alive."""

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
from pyof.v0x04.controller2switch.multipart_reply import Desc, MultipartReply
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
        else:
            body = b""
        self._send(MultipartReply(xid=xid, multipart_type=kind, flags=0, body=body))
