"""A test NApp: every event Kytos dispatches to NApps, as its id and name, counted apart from the
webhook_forwarder NApp (its own listener on the same bus), so that the tests can say which
permitted events should be in Kafka without asking the NApp under test."""

from kytos.core import KytosNApp, rest
from kytos.core.helpers import alisten_to
from kytos.core.rest_api import JSONResponse, Request


class Main(KytosNApp):
    def setup(self):
        self.seen: list[tuple[str, str]] = []

    def execute(self):
        """Nothing runs periodically."""

    @alisten_to(".*")
    async def record(self, event):
        self.seen.append((str(event.id), event.name))

    @rest("v1/events", methods=["GET"])
    def events(self, _request: Request) -> JSONResponse:
        return JSONResponse([{"id": event_id, "name": name} for event_id, name in self.seen])

    def shutdown(self):
        """Nothing to release."""
