"""A stand-in controller that drives NApps the way Kytos-ng does: an asyncio loop in its own
thread; each event goes to every listener whose pattern matches its name (``re.match``), async
listeners as tasks on that loop; at shutdown, NApps' shutdown runs on that loop's thread, which
stops right after, as in kytosd."""

import asyncio
import re
import threading

from kytos.core import KytosEvent


class StandinController:
    def __init__(self):
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self._thread.start()
        self.napps = []

    def load(self, napp_class):
        napp = napp_class(self)
        self.napps.append(napp)
        napp.start()
        napp.join(timeout=5)
        return napp

    def publish(self, event):
        """Like the app buffer's consumer: dispatches to the matching listeners, not waiting."""
        future = asyncio.run_coroutine_threadsafe(self._dispatch(event), self.loop)
        future.result(timeout=5)

    async def _dispatch(self, event):
        for napp in self.napps:
            for pattern, handlers in napp._listeners.items():  # pylint: disable=protected-access
                if not re.match(pattern, event.name):
                    continue
                for handler in handlers:
                    if asyncio.iscoroutinefunction(handler):
                        self.loop.create_task(handler(event))
                    else:
                        handler(event)

    def call_soon(self, function, *args):
        """Runs a plain function on the controller's loop (as a REST handler would) and waits."""
        async def call():
            return function(*args)
        return asyncio.run_coroutine_threadsafe(call(), self.loop).result(timeout=5)

    def shutdown(self):
        """As kytosd on SIGTERM: its signal handler runs on the loop, calls each NApp's shutdown
        there (Controller.stop_controller), then stops the loop."""
        def stop():
            event = KytosEvent(name="kytos/core.shutdown")
            for napp in self.napps:
                napp._shutdown_handler(event)  # pylint: disable=protected-access
            self.loop.stop()
        self.loop.call_soon_threadsafe(stop)
        self._thread.join(timeout=30)
