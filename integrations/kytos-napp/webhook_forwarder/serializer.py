"""Turns the live objects in a Kytos event's content into plain JSON values.

Kytos contents hold switches, interfaces, links, EVCs, sets of ids, datetimes... ``json.dumps``
would either fail on them or, with ``default=str``, write Python reprs nobody downstream can
parse. Every value here becomes valid JSON, and the size of what is produced is bounded.
"""

from __future__ import annotations

import base64
import enum
import math
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any
from uuid import UUID

#: What replaces a reference back to an object that is still being serialized.
CYCLE_MARK = "<cycle>"
#: What replaces what lies deeper than the depth guard, or beyond the size guard.
TRUNCATED_MARK = "<truncated>"


@dataclass(frozen=True)
class SerializerLimits:
    """Guards against contents too deep or too large to be worth sending whole."""

    max_depth: int = 64
    #: Values (scalars and containers) emitted per event; past it, the rest is truncated.
    max_values: int = 200_000


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
    if value is None or isinstance(value, (bool, str)):
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
    if depth >= budget.limits.max_depth:
        budget.truncated = True
        return TRUNCATED_MARK
    if id(value) in path:
        return CYCLE_MARK
    path.add(id(value))
    try:
        return _convert_container(value, budget, depth, path)
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
    as_dict = getattr(value, "as_dict", None)
    if callable(as_dict):
        # Kytos' own objects (Switch, Interface, Link, EVC...) describe themselves this way.
        return _convert(as_dict(), budget, depth + 1, path)
    if hasattr(value, "__dict__"):
        public = {k: v for k, v in vars(value).items() if not k.startswith("_")}
        return _convert(public, budget, depth + 1, path)
    return str(value)


def _key(key: Any) -> str:
    if isinstance(key, str):
        return key
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
    """The webhook's shape of a KytosEvent: ``{"id", "name", "timestamp", "content"}``.

    The service requires an object as content; anything else is wrapped as ``{"value": ...}``.
    """
    content = to_json_safe(event.content, limits)
    timestamp = event.timestamp
    return {
        "id": str(event.id),
        "name": event.name,
        "timestamp": _iso_datetime(timestamp) if isinstance(timestamp, datetime) else None,
        "content": content if isinstance(content, dict) else {"value": content},
    }
