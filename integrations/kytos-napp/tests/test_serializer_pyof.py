"""python-openflow structures as Kytos' OpenFlow events carry them, rendered faithfully."""

import base64
import json

import pytest

pyof = pytest.importorskip(
    "pyof",
    reason="python-openflow is not installed: run-tests.sh installs it from the Kytos-ng archives "
    "(../shared/kytos-ng, or KYTOS_NG_ARCHIVES; see that folder's README for the GitHub sources)",
)

from kytos.core import KytosEvent  # noqa: E402
from pyof.foundation.basic_types import DPID, HWAddress  # noqa: E402
from pyof.v0x04.common.header import Type  # noqa: E402
from pyof.v0x04.common.port import (  # noqa: E402
    ListOfPorts,
    Port,
    PortConfig,
    PortFeatures,
    PortState,
)
from pyof.v0x04.common.utils import unpack_message  # noqa: E402
from pyof.v0x04.controller2switch.features_reply import Capabilities, FeaturesReply  # noqa: E402
from pyof.v0x04.controller2switch.multipart_reply import MultipartReply, MultipartType  # noqa: E402

from webhook_forwarder.serializer import serialize_event  # noqa: E402


def features_reply():
    return FeaturesReply(
        xid=7,
        datapath_id=DPID("00:00:00:00:00:00:00:01"),
        n_buffers=256,
        n_tables=254,
        auxiliary_id=0,
        capabilities=Capabilities.OFPC_FLOW_STATS | Capabilities.OFPC_PORT_STATS,
        reserved=0,
    )


def wire(message):
    """The message as it crossed the wire: packed, then unpacked as of_core does."""
    return unpack_message(message.pack())


def event_with(message):
    return KytosEvent(
        name="kytos/of_core.v0x04.messages.in." + message.header.message_type.name.lower(),
        content={"message": message, "source": "connection"},
    )


@pytest.mark.parametrize("make", [features_reply, lambda: wire(features_reply())])
def test_features_reply_comes_out_with_numbers_names_and_the_packed_bytes(make):
    message = make()
    record = json.loads(json.dumps(serialize_event(event_with(message)), allow_nan=False))
    out = record["content"]["message"]
    assert out["header"]["version"] == 4
    assert out["header"]["message_type"] == {"value": 6, "name": "OFPT_FEATURES_REPLY"}
    assert out["header"]["xid"] == 7
    assert out["datapath_id"] == "00:00:00:00:00:00:00:01"
    assert out["n_tables"] == 254
    assert out["capabilities"]["value"] == 0x1 | 0x4
    assert sorted(out["capabilities"]["names"]) == ["OFPC_FLOW_STATS", "OFPC_PORT_STATS"]
    assert base64.b64decode(out["packed"]) == message.pack()


def test_a_multipart_reply_of_port_descriptions_keeps_every_port():
    ports = [
        Port(
            port_no=number,
            hw_addr=HWAddress(f"00:00:00:00:00:0{number}"),
            name=f"s1-eth{number}",
            config=PortConfig.OFPPC_NO_FWD if number == 2 else 0,
            state=PortState.OFPPS_LIVE,
            curr=PortFeatures.OFPPF_10GB_FD,
            advertised=0,
            supported=0,
            peer=0,
            curr_speed=10_000_000,
            max_speed=10_000_000,
        )
        for number in (1, 2)
    ]
    message = wire(
        MultipartReply(
            xid=9, multipart_type=MultipartType.OFPMP_PORT_DESC, flags=0, body=ListOfPorts(ports)
        )
    )
    record = json.loads(json.dumps(serialize_event(event_with(message)), allow_nan=False))
    out = record["content"]["message"]
    assert out["header"]["message_type"]["name"] == "OFPT_MULTIPART_REPLY"
    assert out["multipart_type"] == {"value": 13, "name": "OFPMP_PORT_DESC"}
    assert base64.b64decode(out["packed"]) == message.pack()
    assert [port["name"] for port in out["body"]] == ["s1-eth1", "s1-eth2"]
    assert out["body"][1]["config"] == {"value": 32, "names": ["OFPPC_NO_FWD"]}
    assert out["body"][0]["state"]["names"] == ["OFPPS_LIVE"]
    assert out["header"]["message_type"]["value"] == Type.OFPT_MULTIPART_REPLY.value


def test_a_class_in_the_content_is_named_never_read():
    record = serialize_event(KytosEvent(name="kytos/x", content={"kind": Capabilities}))
    assert record["content"]["kind"].endswith("features_reply.Capabilities")
