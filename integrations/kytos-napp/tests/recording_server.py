"""A webhook double for the NApp's unit tests: records each request (headers, body, the client
port it came from) and answers from a script of statuses, or by judging each batch, on 127.0.0.1,
in the service's own error shape."""

import gzip
import json
import threading
import time
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class RecordingServer:
    def __init__(self):
        self.requests = []
        #: (status, headers) answers, used in order; then 200. A third item "proxy" answers with
        #: an HTML page, as a reverse proxy in front of a service that is away would.
        self.script = []
        #: Judges a batch (the list of events) when the script is empty: a status, or None for 200,
        #: or (status, "proxy") for a proxy's page.
        self.refuse = None
        #: What GET answers (the service's rules, keyed by id); None: 404.
        self.filters = None
        self.gets = 0
        self.delay = None
        #: The forwarder's reports (POST …/report), apart from the events: (monotonic time, JSON).
        self.reports = []
        #: What a report is answered; a threading.Event makes reports hang until it is set.
        self.report_status = 204
        self.report_hang = None
        self._lock = threading.Lock()
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as the real service

            def do_POST(self):  # pylint: disable=invalid-name
                sent = self.rfile.read(int(self.headers.get("content-length", "0")))
                if self.path.endswith("/report"):
                    self._report(sent)
                    return
                gzipped = self.headers.get("content-encoding") == "gzip"
                body = gzip.decompress(sent) if gzipped else sent
                if owner.delay is not None:
                    owner.delay.wait()
                with owner._lock:
                    status, headers, *kind = owner.script.pop(0) if owner.script else (200, {})
                    if not owner.script and status == 200 and owner.refuse is not None:
                        status, *kind = _as_tuple(owner.refuse(json.loads(body)) or 200)
                    owner.requests.append({
                        "headers": {k.lower(): v for k, v in self.headers.items()},
                        "body": body,
                        "sent": sent,
                        "port": self.client_address[1],
                        "status": status,
                    })
                if kind == ["proxy"]:
                    # As nginx words its own error pages.
                    title = f"{status} {HTTPStatus(status).phrase}"
                    answer = f"<html><head><title>{title}</title></head><body><center><h1>{title}</h1></center>"
                    answer, content_type = f"{answer}<hr><center>nginx</center></body></html>".encode(), "text/html"
                elif status < 300:
                    answer, content_type = json.dumps({"accepted": 1}).encode(), "application/json"
                else:
                    shape = {"statusCode": status, "error": "Error", "message": f"status {status}"}
                    answer, content_type = json.dumps(shape).encode(), "application/json"
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("content-type", content_type)
                self.send_header("content-length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def _report(self, body):
                if owner.report_hang is not None:
                    owner.report_hang.wait()
                with owner._lock:
                    owner.reports.append((
                        time.monotonic(), self.path, {k.lower(): v for k, v in self.headers.items()}, json.loads(body)
                    ))
                status = owner.report_status
                answer = b"" if status == 204 else json.dumps({"statusCode": status, "message": "no"}).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def do_GET(self):  # pylint: disable=invalid-name
                owner.gets += 1
                found = owner.filters is not None
                answer = json.dumps(owner.filters if found else {"statusCode": 404}).encode()
                self.send_response(200 if found else 404)
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

    def accepted(self):
        """Every event of a request answered 2xx, in order of arrival."""
        with self._lock:
            return [
                event
                for request in self.requests
                if request["status"] < 300
                for event in json.loads(request["body"])
            ]

    def close(self):
        if self.delay is not None:
            self.delay.set()
        if self.report_hang is not None:
            self.report_hang.set()
        self._server.shutdown()
        self._server.server_close()


def _as_tuple(answer):
    return answer if isinstance(answer, tuple) else (answer,)
