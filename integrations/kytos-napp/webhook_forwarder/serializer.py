"""Turns the live objects in a Kytos event's content into plain JSON values.

Kytos contents hold switches, interfaces, links, EVCs, sets of ids, datetimes... ``json.dumps``
would either fail on them or, with ``default=str``, write Python reprs nobody downstream can
parse. Every value here becomes valid JSON, and the size of what is produced is bounded.
"""

from __future__ import annotations

import base64
import enum
import math
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any
from uuid import UUID

try:  # python-openflow, which Kytos depends on: its messages travel in OpenFlow events.
    from pyof.foundation.base import GenericBitMask, GenericMessage, GenericStruct, GenericType
except ImportError:  # pragma: no cover - only outside Kytos
    GenericBitMask = GenericMessage = GenericStruct = GenericType = None

#: A W3C traceparent of version 00, as the service takes it.
TRACEPARENT = re.compile(r"00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}")

#: What replaces a reference back to an object that is still being serialized.
CYCLE_MARK = "<cycle>"
#: What replaces what lies deeper than the depth guard, or beyond the size guard.
TRUNCATED_MARK = "<truncated>"
#: What replaces an object that raised while being read (its type's name follows).
UNREADABLE_MARK = "<unreadable {}>"


@dataclass(frozen=True)
class SerializerLimits:
    """Guards against contents too deep or too large to be worth sending whole."""

    max_depth: int = 64
    #: Values (scalars and containers) emitted per event; past it, the rest is truncated.
    max_values: int = 2_000_000


class _Budget:
    def __init__(self, limits: SerializerLimits) -> None:
        self.limits = limits
        self.left = limits.max_values
        self.truncated = False


def to_json_safe(value: Any, limits: SerializerLimits = SerializerLimits()) -> Any:
    """A copy of ``value`` made only of dict (str keys), list, str, int, float, bool and None."""
    return _convert(value, _Budget(limits), 0, set())


def _convert(value: Any, budget: _Budget, depth: int, path: set[int]) -> Any:
    if budget.left <= 0:
        budget.truncated = True
        return TRUNCATED_MARK
    budget.left -= 1
    # bool before int (bool is an int), Enum before its mixed-in base (an IntEnum is an int).
    if isinstance(value, str):
        return _valid_text(value)
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, enum.Enum):
        return _convert(value.value, budget, depth, path)
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        # JSON has no NaN or Infinity; null is what every JSON parser understands.
        return value if math.isfinite(value) else None
    if isinstance(value, Decimal):
        return float(value) if value.is_finite() else None
    if isinstance(value, datetime):
        return _iso_datetime(value)
    if isinstance(value, (date, time)):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, type):
        # A class is not data; reading attributes off one can run its metaclass' code.
        return f"{value.__module__}.{value.__qualname__}"
    if depth >= budget.limits.max_depth:
        budget.truncated = True
        return TRUNCATED_MARK
    if id(value) in path:
        return CYCLE_MARK
    path.add(id(value))
    try:
        return _convert_container(value, budget, depth, path)
    except Exception:  # pylint: disable=broad-except
        # A foreign object whose attributes raise (pyof's bitmask classes raise KeyError from
        # attribute lookup) costs its own place in the event, never the whole event.
        return UNREADABLE_MARK.format(type(value).__name__)
    finally:
        path.discard(id(value))


def _convert_container(value: Any, budget: _Budget, depth: int, path: set[int]) -> Any:
    if isinstance(value, dict):
        return {
            _key(key): _convert(item, budget, depth + 1, path) for key, item in value.items()
        }
    if isinstance(value, (list, tuple)):
        return [_convert(item, budget, depth + 1, path) for item in value]
    if isinstance(value, (set, frozenset)):
        items = [_convert(item, budget, depth + 1, path) for item in value]
        # A set has no order; sorted output keeps equal sets equal on the wire.
        return sorted(items, key=_sort_key)
    if GenericType is not None:
        pyof = _convert_pyof(value, budget, depth, path)
        if pyof is not _NOT_PYOF:
            return pyof
    as_dict = getattr(value, "as_dict", None)
    if callable(as_dict):
        # Kytos' own objects (Switch, Interface, Link, EVC...) describe themselves this way.
        return _convert(as_dict(), budget, depth + 1, path)
    if hasattr(value, "__dict__"):
        public = {k: v for k, v in vars(value).items() if not k.startswith("_")}
        return _convert(public, budget, depth + 1, path)
    return str(value)


_NOT_PYOF = object()


def _convert_pyof(value: Any, budget: _Budget, depth: int, path: set[int]) -> Any:
    """python-openflow's structures as what they say on the wire: each field by name with its
    number (and, for enums and bitmasks, the names), and a whole message also packed as base64,
    the form any OpenFlow decoder reads back exactly."""
    if isinstance(value, GenericType):
        return _pyof_value(value, budget, depth, path)
    if isinstance(value, GenericBitMask):
        return {"value": value.bitmask, "names": _bit_names(type(value), value.bitmask)}
    if not isinstance(value, GenericStruct):
        return _NOT_PYOF
    fields = {
        name: _pyof_field(getattr(value, name), template, budget, depth, path)
        for name, template in type(value).get_class_attributes()
    }
    if isinstance(value, GenericMessage):
        try:
            fields["packed"] = base64.b64encode(value.pack()).decode("ascii")
        except Exception:  # pylint: disable=broad-except
            pass  # A message with values it cannot pack still has its fields above.
    return fields


def _pyof_field(value: Any, template: Any, budget: _Budget, depth: int, path: set[int]) -> Any:
    """A struct's field: pyof keeps what code set (a number, an enum member) until it packs, so
    the field's declared type (its class attribute) names it."""
    if isinstance(value, (GenericType, GenericStruct, GenericBitMask)):
        return _convert(value, budget, depth + 1, path)
    named = _pyof_named(value, getattr(template, "enum_ref", None))
    return _convert(value, budget, depth + 1, path) if named is None else named


def _pyof_value(value: Any, budget: _Budget, depth: int, path: set[int]) -> Any:
    raw = value._value  # pylint: disable=protected-access
    if isinstance(raw, (GenericType, GenericStruct)):
        return _convert(raw, budget, depth + 1, path)
    named = _pyof_named(raw, value.enum_ref)
    return _convert(value.value, budget, depth + 1, path) if named is None else named


def _pyof_named(raw: Any, kind: Any) -> dict[str, Any] | None:
    """An enum member as its number and name, a bitmask as its number and names; else None."""
    if isinstance(raw, int) and not isinstance(raw, enum.Enum) and isinstance(kind, type):
        # A number set by code rather than unpacked: named through its declared enum or bitmask.
        if issubclass(kind, GenericBitMask):
            return {"value": raw, "names": _bit_names(kind, raw)}
        if issubclass(kind, enum.Enum) and raw in kind._value2member_map_:
            raw = kind(raw)
    if isinstance(raw, enum.Enum):
        return {"value": raw.value, "name": raw.name}
    if isinstance(raw, GenericBitMask):
        return {"value": raw.bitmask, "names": _bit_names(type(raw), raw.bitmask)}
    return None


def _bit_names(kind: type, bits: int) -> list[str]:
    """The bits' names, from the class (a bitmask instance's own ``names`` is always empty:
    pyof's instances shadow the class' table with an empty one)."""
    table = vars(kind).get("_enum", {})
    return [name for name, bit in table.items() if isinstance(bit, int) and bit & (bits or 0)]


def _valid_text(text: str) -> str:
    """UTF-8 cannot carry a lone surrogate (a str from a bad decode can hold one): each becomes
    U+FFFD, as any UTF-8 decoder shows invalid text, instead of failing the whole batch."""
    if text.isascii():
        return text
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


def _key(key: Any) -> str:
    if isinstance(key, str):
        return _valid_text(key)
    if isinstance(key, tuple):
        # Kytos keys some maps by (dpid, port): "00:..:01,3" reads back, a repr would not.
        return ",".join(_key(part) for part in key)
    if isinstance(key, enum.Enum):
        return _key(key.value)
    if isinstance(key, datetime):
        return _iso_datetime(key)
    if isinstance(key, float) and not math.isfinite(key):
        return "null"
    if key is None or isinstance(key, (bool, int, float, UUID)):
        # As json.dumps writes such keys: null, true, 3, 1.5.
        return "null" if key is None else str(key).lower() if isinstance(key, bool) else str(key)
    return str(key)


def _iso_datetime(value: datetime) -> str:
    """ISO-8601 with a T; naive times are taken as UTC, as Kytos keeps them."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.isoformat()


def _sort_key(item: Any) -> tuple[str, str]:
    return (type(item).__name__, repr(item))


def serialize_event(event: Any, limits: SerializerLimits = SerializerLimits()) -> dict[str, Any]:
    """The webhook's shape of a KytosEvent: ``{"id", "name", "timestamp", "content"}``, and
    ``trace_parent`` when Kytos traces the event (APM on), for the service to continue the trace.

    The service requires an object as content; anything else is wrapped as ``{"value": ...}``.
    """
    content = to_json_safe(event.content, limits)
    timestamp = event.timestamp
    record = {
        "id": str(event.id),
        "name": event.name,
        "timestamp": _iso_datetime(timestamp) if isinstance(timestamp, datetime) else None,
        "content": content if isinstance(content, dict) else {"value": content},
    }
    trace_parent = _traceparent(getattr(event, "trace_parent", None))
    if trace_parent is not None:
        record["trace_parent"] = trace_parent
    return record


def _traceparent(parent: Any) -> str | None:
    """Kytos' APM trace parent (elasticapm's ``TraceParent``, or its text) as a W3C traceparent;
    None when there is none or it is not one, so that the event is never refused for it."""
    if parent is None:
        return None
    try:
        text = parent.to_string() if hasattr(parent, "to_string") else parent
    except Exception:  # noqa: BLE001 - a broken tracer must not stop the event
        return None
    return text if isinstance(text, str) and TRACEPARENT.fullmatch(text) else None
