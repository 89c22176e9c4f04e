"""The real kafka-events service and a real Kafka broker on loopback, for the end-to-end test:
the broker from the project's scripts/kafka.sh, the service as operators run it
(``node dist/src/main.js``), and Kafka's own Java console consumer to read the topic."""

import json
import os
import random
import re
import socket
import subprocess
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[4]
KAFKA_SH = ROOT / "scripts" / "kafka.sh"
_PINNED_NODE = ROOT / "node_modules" / ".bin" / "node"
#: The Node that package.json pins, which `npm ci` installs; PATH's node where there is none.
NODE = str(_PINNED_NODE) if _PINNED_NODE.exists() else "node"


def free_port(count=1):
    for _ in range(50):
        port = random.randint(20_000, 60_000)
        if all(_is_free(port + offset) for offset in range(count)):
            return port
    raise RuntimeError("no free loopback port")


def _is_free(port):
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
            return True
        except OSError:
            return False


class Broker:
    def __init__(self):
        self.port = free_port(2)
        self.dir = tempfile.mkdtemp(prefix="napp-e2e-kafka-")

    def start(self):
        subprocess.run(["bash", str(KAFKA_SH), "start", "--port", str(self.port), "--dir", self.dir, "--fresh"],
                       check=True, timeout=180, stdout=subprocess.DEVNULL)

    def stop(self):
        subprocess.run(["bash", str(KAFKA_SH), "stop", "--port", str(self.port), "--dir", self.dir],
                       check=False, timeout=60)

    def read_values(self, topic, count):
        """Every record value of ``topic`` (at least ``count`` are waited for), by Kafka's own consumer."""
        return [value for _, value in self.read_records(topic, count)]

    def read_records(self, topic, count):
        """(headers, value) of every record of ``topic``, the headers as the console consumer prints
        them (``name:value,...``), by Kafka's own consumer (it ends 10 s after the last record)."""
        out = subprocess.run(
            ["bash", str(KAFKA_SH), "consume", "--topic", topic, "--port", str(self.port), "--max", str(count)],
            check=False, timeout=120, capture_output=True, text=True,
        ).stdout
        return _records(out)

    def follow(self, topic):
        """Kafka's own consumer reading ``topic`` from its start until closed (the topic must exist)."""
        return TopicFollower(self.port, topic)


def _records(out):
    """(headers, value) of each whole line the console consumer printed: headers, key and value,
    tab-separated (the JSON value never holds a raw tab)."""
    return [(line.split("\t")[0], json.loads(line.split("\t")[-1]))
            for line in out.splitlines() if line.rstrip().endswith("}")]


class TopicFollower:
    """Kafka's console consumer left running: reads cost no new JVM nor a 10 s wait for the end."""

    def __init__(self, port, topic):
        self.output = Path(tempfile.mkstemp(prefix=f"follow-{topic}-", suffix=".txt")[1])
        with self.output.open("wb") as out:
            self.process = subprocess.Popen(
                ["bash", str(KAFKA_SH), "consume", "--topic", topic, "--port", str(port), "--follow"],
                stdout=out, stderr=subprocess.DEVNULL)

    def values(self):
        text = self.output.read_text(errors="replace")
        # A line still being written has no newline yet.
        return [value for _, value in _records(text[: text.rfind("\n") + 1])]

    def wait_for(self, condition, what, timeout=60):
        """The values once ``condition(values)`` holds; fails after ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while True:
            values = self.values()
            if condition(values):
                return values
            assert self.process.poll() is None, f"the console consumer ended: {self.output.read_text()[-2000:]}"
            assert time.monotonic() < deadline, f"{what}: not in Kafka within {timeout} s"
            time.sleep(0.5)

    def close(self):
        self.process.terminate()
        self.process.wait(timeout=30)


class Service:
    def __init__(self, brokers, secret, topic, **settings):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/api/kytos/kafka_events/v1/events"
        self.env = {
            **os.environ,
            "HOST": "127.0.0.1",
            "PORT": str(self.port),
            "KAFKA_BROKERS": brokers,
            "KAFKA_TOPIC": topic,
            "AUTH_WEBHOOK_SECRET": secret,
            "FILTER_STORE": "memory",
            "LOG_FORMAT": "json",
            **settings,
        }
        self.process = None
        self.log = Path(tempfile.mkstemp(prefix="napp-e2e-service-", suffix=".log")[1])

    def start(self, timeout=60):
        with self.log.open("ab") as log:
            self.process = subprocess.Popen([NODE, str(ROOT / "dist" / "src" / "main.js")],
                                            env=self.env, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.log.read_text()
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as connection:
                    connection.sendall(b"GET /health/ready HTTP/1.0\r\n\r\n")
                    if re.match(rb"HTTP/1\.[01] 200", connection.recv(64)):
                        return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"the service did not get ready:\n{self.log.read_text()}")

    def kill(self):
        """SIGKILL: nothing it acknowledged may be lost even so (it answers only after Kafka's ack)."""
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)
