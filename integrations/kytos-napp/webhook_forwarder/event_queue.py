"""A bounded queue between the controller's listeners and the task that posts to the service."""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class DropOldestQueue(Generic[T]):
    """Never blocks the producer and never grows past ``capacity``: when full, the oldest item
    makes room (a long outage loses the oldest events, not the newest) and ``on_drop`` is told.

    Not thread-safe: it lives on the controller's event loop, like the listener that fills it.
    """

    def __init__(self, capacity: int, on_drop: Callable[[T], None]) -> None:
        if capacity < 1:
            raise ValueError("capacity must be at least 1")
        self.capacity = capacity
        self._items: deque[T] = deque()
        self._on_drop = on_drop
        self._not_empty = asyncio.Event()
        self.dropped = 0

    def __len__(self) -> int:
        return len(self._items)

    def put(self, item: T) -> None:
        if len(self._items) >= self.capacity:
            oldest = self._items.popleft()
            self.dropped += 1
            self._on_drop(oldest)
        self._items.append(item)
        self._not_empty.set()

    def take(self, count: int) -> list[T]:
        """Up to ``count`` items, oldest first (without waiting)."""
        taken = [self._items.popleft() for _ in range(min(count, len(self._items)))]
        if not self._items:
            self._not_empty.clear()
        return taken

    async def wait_not_empty(self) -> None:
        await self._not_empty.wait()
