"""Kytos-ng's KytosEvent: a slotted dataclass whose id (uuid4) and UTC timestamp default."""

from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID, uuid4

from kytos.core.helpers import now


@dataclass(slots=True)
class KytosEvent:
    name: str
    content: dict = field(default_factory=dict)
    trace_parent: object = field(default=None)
    priority: int = field(default=0)
    id: UUID = field(default_factory=uuid4)  # pylint: disable=invalid-name
    timestamp: datetime = field(default_factory=now)
    reinjections: int = field(default=0)

    def __str__(self):
        return self.name
