import enum
import json
import math
from datetime import UTC, datetime
from uuid import UUID

from kytos.core import KytosEvent

from webhook_forwarder.serializer import (
    CYCLE_MARK,
    TRUNCATED_MARK,
    SerializerLimits,
    serialize_event,
    to_json_safe,
)


class Switch:
    """Like Kytos' Switch: a live object that describes itself with as_dict()."""

    def __init__(self, dpid):
        self.dpid = dpid
        self.interfaces = {}

    def as_dict(self):
        return {"id": self.dpid, "dpid": self.dpid, "interfaces": self.interfaces}


class Status(enum.Enum):
    UP = "UP"


class Priority(enum.IntEnum):
    HIGH = 3


def roundtrip(value, **limits):
    """What a JSON parser reads back: proves the output is valid JSON, not only a Python value."""
    return json.loads(json.dumps(to_json_safe(value, SerializerLimits(**limits)), allow_nan=False))


def test_objects_with_as_dict_become_their_dict():
    assert roundtrip({"switch": Switch("00:01")}) == {
        "switch": {"id": "00:01", "dpid": "00:01", "interfaces": {}}
    }


def test_sets_and_frozensets_become_sorted_lists():
    # Maintenance events carry frozensets of switch and interface ids.
    assert roundtrip({"switches": frozenset({"s2", "s1"}), "ports": {3, 1, 2}}) == {
        "switches": ["s1", "s2"],
        "ports": [1, 2, 3],
    }


def test_datetimes_are_iso_with_t_and_naive_ones_utc():
    aware = datetime(2026, 2, 10, 14, 0, 1, 104512, tzinfo=UTC)
    naive = datetime(2026, 2, 10, 14, 0, 1)
    assert roundtrip([aware, naive]) == ["2026-02-10T14:00:01.104512+00:00", "2026-02-10T14:00:01+00:00"]


def test_uuids_enums_and_bytes():
    uuid = UUID("0f6f0d1e-2a9f-4f5e-9a51-3f7e2c1b9a01")
    assert roundtrip([uuid, Status.UP, Priority.HIGH, b"\x00\xffof"]) == [
        "0f6f0d1e-2a9f-4f5e-9a51-3f7e2c1b9a01",
        "UP",
        3,
        "AP9vZg==",
    ]


def test_nan_and_infinity_become_null():
    assert roundtrip([math.nan, math.inf, -math.inf, 1.5]) == [None, None, None, 1.5]


def test_tuple_and_other_keys_become_readable_strings():
    assert roundtrip({("00:01", 3): "port", 7: "seven", None: "none", True: "yes"}) == {
        "00:01,3": "port",
        "7": "seven",
        "null": "none",
        "true": "yes",
    }


def test_reference_cycles_are_cut_and_marked_but_shared_objects_are_not():
    link = {"id": "l1"}
    link["self"] = link
    shared = {"id": "s1"}
    assert roundtrip({"link": link, "a": shared, "b": shared}) == {
        "link": {"id": "l1", "self": CYCLE_MARK},
        "a": {"id": "s1"},
        "b": {"id": "s1"},
    }


def test_depth_and_size_guards_truncate_and_mark():
    deep = current = {}
    for _ in range(100):
        current["next"] = {}
        current = current["next"]
    out = roundtrip(deep, max_depth=5)
    assert json.dumps(out).count("next") == 5
    assert TRUNCATED_MARK in json.dumps(out)
    wide = roundtrip(list(range(1000)), max_values=10)
    assert wide[:9] == list(range(9))
    assert wide[9:] == [TRUNCATED_MARK] * 991


def test_other_objects_are_their_public_attributes_never_a_repr():
    class Interface:
        def __init__(self):
            self.port_number = 3
            self._switch = "hidden"

    assert roundtrip({"interface": Interface()}) == {"interface": {"port_number": 3}}


def test_a_whole_event_in_the_webhook_shape():
    event = KytosEvent(name="kytos/topology.switch.enabled", content={"switch": Switch("00:01")})
    record = serialize_event(event)
    assert record == {
        "id": str(event.id),
        "name": "kytos/topology.switch.enabled",
        "timestamp": event.timestamp.isoformat(),
        "content": {"switch": {"id": "00:01", "dpid": "00:01", "interfaces": {}}},
    }
    assert "T" in record["timestamp"] and record["timestamp"].endswith("+00:00")
    assert serialize_event(KytosEvent(name="x", content=None))["content"] == {"value": None}


def test_an_apm_trace_parent_travels_as_a_w3c_traceparent():
    from elasticapm.utils.disttracing import TraceParent  # Kytos-ng's own APM client

    text = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
    traced = KytosEvent(name="x", content={}, trace_parent=TraceParent.from_string(text))
    assert serialize_event(traced)["trace_parent"] == text
    assert serialize_event(KytosEvent(name="x", content={}, trace_parent=text))["trace_parent"] == text
    for untraced in (None, "not-a-traceparent", 42):
        assert "trace_parent" not in serialize_event(KytosEvent(name="x", content={}, trace_parent=untraced))
