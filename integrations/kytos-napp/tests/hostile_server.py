"""A webhook that answers badly on purpose, on 127.0.0.1: raw asyncio streams on a loop in a
thread of its own, so that it goes on answering while the code under test holds its own thread.
Each request is read whole, then answered by the coroutine given (``trickle``, ``huge``)."""

import asyncio
import threading


def trickle(interval):
    """A status line, then a header one byte every ``interval`` seconds, for ever."""

    async def answer(writer):
        writer.write(b"HTTP/1.1 200 OK\r\nx-padding: ")
        while True:
            await writer.drain()
            await asyncio.sleep(interval)
            writer.write(b"a")

    return answer


def huge(status, size):
    """A JSON answer in the service's error shape whose message makes it ``size`` bytes long,
    written as fast as the client reads it."""
    head = b'{"statusCode":%d,"error":"Error","message":"' % status
    tail = b'"}'
    chunk = b"x" * 65536

    async def answer(writer):
        writer.write(b"HTTP/1.1 %d Error\r\ncontent-type: application/json\r\n" % status)
        writer.write(b"content-length: %d\r\n\r\n" % size)
        writer.write(head)
        left = size - len(head) - len(tail)
        while left > 0:
            writer.write(chunk[:left])
            left -= len(chunk)
            await writer.drain()
        writer.write(tail)
        await writer.drain()

    return answer


class HostileServer:
    def __init__(self, answer):
        self.connections = 0
        self._answer = answer
        self._loop = asyncio.new_event_loop()
        self._server = self._loop.run_until_complete(asyncio.start_server(self._handle, "127.0.0.1", 0))
        port = self._server.sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{port}/api/kytos/kafka_events/v1/events"
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._thread.start()

    async def _handle(self, reader, writer):
        self.connections += 1
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n"):
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value)
            await reader.readexactly(length)
            await self._answer(writer)
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.CancelledError):
            # Cancelled by close(): the answer ends with the server.
            pass
        finally:
            writer.close()

    def close(self):
        async def stop():
            self._server.close()
            for task in asyncio.all_tasks():
                if task is not asyncio.current_task():
                    task.cancel()

        asyncio.run_coroutine_threadsafe(stop(), self._loop).result(timeout=5)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)
