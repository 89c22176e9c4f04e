import asyncio

import pytest

from webhook_forwarder.event_queue import DropOldestQueue


def test_a_full_queue_drops_the_oldest_and_says_which():
    dropped = []
    queue = DropOldestQueue(3, dropped.append)
    for item in range(5):
        queue.put(item)
    assert len(queue) == 3
    assert dropped == [0, 1]
    assert queue.dropped == 2
    assert queue.take(10) == [2, 3, 4]


def test_take_gives_at_most_count_oldest_first():
    queue = DropOldestQueue(10, lambda _: None)
    for item in range(5):
        queue.put(item)
    assert queue.take(2) == [0, 1]
    assert queue.take(2) == [2, 3]
    assert len(queue) == 1


def test_wait_not_empty_wakes_on_put_and_blocks_when_empty():
    async def scenario():
        queue = DropOldestQueue(2, lambda _: None)
        waiter = asyncio.ensure_future(queue.wait_not_empty())
        await asyncio.sleep(0.01)
        assert not waiter.done()
        queue.put("event")
        await asyncio.wait_for(waiter, 1)
        queue.take(1)
        again = asyncio.ensure_future(queue.wait_not_empty())
        await asyncio.sleep(0.01)
        assert not again.done()
        again.cancel()

    asyncio.run(scenario())


def test_capacity_must_be_positive():
    with pytest.raises(ValueError):
        DropOldestQueue(0, lambda _: None)


def test_a_queue_full_in_bytes_drops_the_oldest_until_the_new_one_fits():
    dropped = []
    queue = DropOldestQueue(100, dropped.append, max_bytes=10, size_of=len)
    for item in ("aaaa", "bbbb", "cc", "dddddd"):
        queue.put(item)
    assert dropped == ["aaaa", "bbbb"]
    assert queue.take(10) == ["cc", "dddddd"]
    assert queue.bytes == 0
    queue.put("x" * 50)
    assert queue.take(1) == ["x" * 50], "one item larger than the bound is still kept alone"
