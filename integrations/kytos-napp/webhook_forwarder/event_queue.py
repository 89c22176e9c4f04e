"""A bounded queue between the controller's listeners and the task that posts to the service."""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class DropOldestQueue(Generic[T]):
    """Never blocks the producer and never grows past ``capacity`` items nor ``max_bytes`` (each
    item's ``size_of``): when full, the oldest items make room (a long outage loses the oldest
    events, not the newest) and ``on_drop`` is told of each.

    Not thread-safe: it lives on the controller's event loop, like the listener that fills it.
    """

    def __init__(
        self,
        capacity: int,
        on_drop: Callable[[T], None],
        max_bytes: int | None = None,
        size_of: Callable[[T], int] = lambda _: 0,
    ) -> None:
        if capacity < 1:
            raise ValueError("capacity must be at least 1")
        self.capacity = capacity
        self.max_bytes = max_bytes
        self._size_of = size_of
        self._items: deque[T] = deque()
        self._bytes = 0
        self._on_drop = on_drop
        self._not_empty = asyncio.Event()
        self.dropped = 0

    def __len__(self) -> int:
        return len(self._items)

    @property
    def bytes(self) -> int:
        return self._bytes

    def put(self, item: T) -> None:
        size = self._size_of(item)
        while self._items and (
            len(self._items) >= self.capacity
            or (self.max_bytes is not None and self._bytes + size > self.max_bytes)
        ):
            oldest = self._items.popleft()
            self._bytes -= self._size_of(oldest)
            self.dropped += 1
            self._on_drop(oldest)
        self._items.append(item)
        self._bytes += size
        self._not_empty.set()

    def take(self, count: int) -> list[T]:
        """Up to ``count`` items, oldest first (without waiting)."""
        taken = [self._items.popleft() for _ in range(min(count, len(self._items)))]
        self._bytes -= sum(self._size_of(item) for item in taken)
        if not self._items:
            self._not_empty.clear()
        return taken

    async def wait_not_empty(self) -> None:
        await self._not_empty.wait()
