"""The project's realistic Kytos events, as live KytosEvents of the stand-in controller."""

import json
from datetime import datetime
from pathlib import Path
from uuid import UUID

from kytos.core import KytosEvent

SAMPLES = Path(__file__).resolve().parents[3] / "test" / "fixtures" / "kytos-events.sample.json"


def sample_events():
    events = []
    for raw in json.loads(SAMPLES.read_text(encoding="utf-8")):
        events.append(KytosEvent(
            name=raw["name"],
            content=raw["content"],
            id=UUID(raw["id"]),
            timestamp=datetime.fromisoformat(raw["timestamp"]),
        ))
    return events
