"""A webhook double for the NApp's unit tests: records each request (headers, body, the client
port it came from) and answers from a script of statuses, on 127.0.0.1."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class RecordingServer:
    def __init__(self):
        self.requests = []
        #: (status, headers) answers, used in order; then 200.
        self.script = []
        self.delay = None
        self._lock = threading.Lock()
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as the real service

            def do_POST(self):  # pylint: disable=invalid-name
                body = self.rfile.read(int(self.headers.get("content-length", "0")))
                if owner.delay is not None:
                    owner.delay.wait()
                with owner._lock:
                    owner.requests.append({
                        "headers": {k.lower(): v for k, v in self.headers.items()},
                        "body": body,
                        "port": self.client_address[1],
                    })
                    status, headers = owner.script.pop(0) if owner.script else (200, {})
                answer = json.dumps({"message": f"status {status}"}).encode()
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args):
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/api/kytos/kafka_events/v1/events"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def events(self):
        """Every event received, in order of arrival."""
        with self._lock:
            return [event for request in self.requests for event in json.loads(request["body"])]

    def close(self):
        if self.delay is not None:
            self.delay.set()
        self._server.shutdown()
        self._server.server_close()
