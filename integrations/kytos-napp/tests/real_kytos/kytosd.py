"""A real Kytos-ng controller for the end-to-end test, as prepared by real-kytos/setup.sh:
FerretDB (or mongowire, for flow_manager) for its MongoDB, kytosd with a conf of its own (free
ports, its own napps folder), of_core (and flow_manager) and this NApp installed by the README's
own steps, stopped by SIGTERM as an operator (or Kubernetes) stops it."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import time
import urllib.request
from pathlib import Path

from service_under_test import ROOT, free_port

CACHE = ROOT / ".cache" / "kytos-ng"
NAPP_README = ROOT / "integrations" / "kytos-napp" / "README.md"


def readiness(with_flows: bool = False) -> str | None:
    """Why a real Kytos-ng cannot run here (None when it can); `with_flows`: with flow_manager."""
    if (CACHE / "missing").exists():
        return (CACHE / "missing").read_text()
    if not (CACHE / "ready").exists():
        return "real-kytos/setup.sh has not prepared .cache/kytos-ng (run-tests.sh runs it)"
    if with_flows and (CACHE / "flows-missing").exists():
        return (CACHE / "flows-missing").read_text()
    if with_flows and not (CACHE / "ready-flows").exists():
        return "real-kytos/setup.sh has not prepared flow_manager and mongowire"
    return None


def readme_install_steps() -> str:
    """The shell block under 'Install it into Kytos' in the NApp's README, run as written."""
    text = NAPP_README.read_text(encoding="utf-8")
    section = text.split("## Install it into Kytos", 1)[1]
    return re.search(r"```bash\n(.*?)```", section, re.S).group(1)


class RealKytos:
    """`napps`: the Kytos-ng NApps to load before this one, in that order, with `settings` lines
    replaced in their settings.py (e.g. `{"of_core": {"STATS_INTERVAL": "3"}}`). flow_manager needs
    mongowire for its database; of_core alone runs on FerretDB."""

    def __init__(self, workdir: Path, napp_env: dict[str, str], napps: tuple[str, ...] = ("of_core",),
                 settings: dict[str, dict[str, str]] | None = None) -> None:
        self.workdir = workdir
        self.napps = workdir / "napps"
        self.api_port, self.of_port, self.mongo_port = free_port(), free_port(), free_port()
        self.napp_env = napp_env
        self.log = workdir / "kytosd.log"
        self.process: subprocess.Popen | None = None
        self._database: subprocess.Popen | None = None
        self._mongowire = "flow_manager" in napps
        self._install(napps, settings or {})

    def _install(self, napps: tuple[str, ...], settings: dict[str, dict[str, str]]) -> None:
        installed = self.napps / ".installed" / "kytos"
        installed.mkdir(parents=True, exist_ok=True)
        (self.napps / "kytos").mkdir(exist_ok=True)
        for folder in (self.napps, self.napps / ".installed", installed, self.napps / "kytos"):
            (folder / "__init__.py").touch()
        # Laid out as `kytos napps install` leaves them, and enabled. kytosd loads NApps in the
        # order of their kytos.json's modification time: each is a second newer than the last.
        loaded_at = time.time() - 100
        for number, name in enumerate(napps):
            shutil.copytree(CACHE / "src" / name, installed / name)
            (self.napps / "kytos" / name).symlink_to(installed / name)
            settings_file = installed / name / "settings.py"
            text = settings_file.read_text()
            for setting, value in settings.get(name, {}).items():
                text = re.sub(rf"(?m)^{setting} = .*$", f"{setting} = {value}", text)
            settings_file.write_text(text)
            os.utime(installed / name / "kytos.json", (loaded_at + number, loaded_at + number))
        subprocess.run(["bash", "-euo", "pipefail", "-c", readme_install_steps()], cwd=ROOT, check=True,
                       env={**os.environ, "KYTOS_NAPPS": str(self.napps)}, timeout=60)

    def _start_database(self, user: str, password: str) -> None:
        if self._mongowire:
            command = [str(CACHE / "venv" / "bin" / "python"), str(CACHE / "mongowire.py"),
                       "--port", str(self.mongo_port), "--user", user, "--password", password]
        else:
            data = self.workdir / "ferretdb"
            data.mkdir(exist_ok=True)
            command = [str(CACHE / "ferretdb"), "--handler=sqlite", f"--sqlite-url=file:{data}/",
                       f"--listen-addr=127.0.0.1:{self.mongo_port}", "--test-enable-new-auth",
                       "--setup-database=napps", f"--setup-username={user}", f"--setup-password={password}",
                       "--telemetry=disable", f"--state-dir={data}"]
        self._database = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def start(self) -> None:
        user, password = "kytos", "kytos-test-password"
        self._start_database(user, password)
        venv = CACHE / "venv"
        conf = (venv / "etc" / "kytos" / "kytos.conf").read_text()
        conf = re.sub(r"(?m)^api_port = .*$", f"api_port = {self.api_port}", conf)
        conf = re.sub(r"(?m)^port = .*$", f"port = {self.of_port}", conf)
        conf = re.sub(r"(?m)^listen = .*$", "listen = 127.0.0.1", conf)
        conf = re.sub(r"(?m)^napps = .*$", f"napps = {self.napps}", conf)
        conf = re.sub(r"(?m)^pidfile = .*$", f"pidfile = {self.workdir / 'kytosd.pid'}", conf)
        (self.workdir / "kytos.conf").write_text(conf)
        env = {
            **os.environ,
            **self.napp_env,
            "VIRTUAL_ENV": str(venv),
            "PATH": f"{venv / 'bin'}:{os.environ['PATH']}",
            "MONGO_HOST_SEEDS": (f"127.0.0.1:{self.mongo_port}" if self._mongowire else
                                 f"mongodb://127.0.0.1:{self.mongo_port}/?authMechanism=SCRAM-SHA-256"),
            "MONGO_USERNAME": user,
            "MONGO_PASSWORD": password,
            "MONGO_DBNAME": "napps",
        }
        with self.log.open("ab") as log:
            # -f: in the foreground, with its shell on stdin (kept open: closing it ends kytosd).
            self.process = subprocess.Popen(
                [str(venv / "bin" / "kytosd"), "-f", "-c", str(self.workdir / "kytos.conf"), "-s", "openflow",
                 # flow_manager installs flows only on enabled switches: -E enables them as they come.
                 *(["--database", "mongodb", "-E"] if self._mongowire else [])],
                env=env, stdin=subprocess.PIPE, stdout=log, stderr=subprocess.STDOUT, cwd=self.workdir,
            )
        self.wait_for(lambda: self.stats() is not None, "the NApp's REST endpoint", 90)

    def post(self, path: str, body: dict, timeout: float = 120) -> int:
        """POSTs JSON to kytosd's REST API (`path` after /api/); the answer's status."""
        request = urllib.request.Request(f"http://127.0.0.1:{self.api_port}/api/{path}", method="POST",
                                         data=json.dumps(body).encode(),
                                         headers={"content-type": "application/json"})
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            return answer.status

    def stats(self) -> dict | None:
        url = f"http://127.0.0.1:{self.api_port}/api/kafka_events/webhook_forwarder/v1/stats"
        try:
            with urllib.request.urlopen(url, timeout=2) as answer:
                return json.loads(answer.read())
        except OSError:
            return None

    def wait_for(self, condition, what: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            assert self.process is None or self.process.poll() is None, f"kytosd exited:\n{self.output()}"
            assert time.monotonic() < deadline, f"{what} not within {timeout} s:\n{self.output()[-4000:]}"
            time.sleep(0.1)

    def terminate(self, timeout: float = 60) -> int:
        """SIGTERM, as an operator stops kytosd; its shell then ends with its stdin."""
        assert self.process is not None
        self.process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while "Stopped TCP Server" not in self.output():
            assert time.monotonic() < deadline, f"kytosd did not stop:\n{self.output()[-4000:]}"
            time.sleep(0.1)
        self.process.stdin.close()
        return self.process.wait(timeout=30)

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def stop(self) -> None:
        for process in (self.process, self._database):
            if process is not None and process.poll() is None:
                process.kill()
                process.wait(timeout=10)
