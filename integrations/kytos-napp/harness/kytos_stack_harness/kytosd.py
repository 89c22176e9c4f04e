"""A real Kytos-ng controller for the end-to-end test, as prepared by real-kytos/setup.sh:
FerretDB (or mongowire, for flow_manager) for its MongoDB, kytosd with a conf of its own (free
ports, its own napps folder), of_core (and flow_manager) and this NApp installed by the README's
own steps (pip, into kytosd's virtualenv), stopped by SIGTERM as an operator (or Kubernetes) stops it."""

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

from .service_under_test import ROOT, free_port
from .stack import RECORDER_EVENTS

CACHE = ROOT / ".cache" / "kytos-ng"
NAPP_README = ROOT / "integrations" / "kytos-napp" / "README.md"


def readiness(with_flows: bool = False, with_stack: bool = False) -> str | None:
    """Why a real Kytos-ng cannot run here (None when it can); `with_flows`: with flow_manager;
    `with_stack`: with every NApp of stack.FULL_STACK and kytos-ng's end-to-end tests.
    setup.sh leaves `<part>-missing` (what to fetch) or `ready-<part>` for each part it prepares."""
    parts = [("", "kytosd, of_core and FerretDB")]
    if with_flows or with_stack:
        parts.append(("flows", "flow_manager and mongowire"))
    if with_stack:
        parts.append(("stack", "the rest of the NApp stack"))
    for part, what in parts:
        missing = CACHE / (f"{part}-missing" if part else "missing")
        if missing.exists():
            return missing.read_text()
        if not (CACHE / (f"ready-{part}" if part else "ready")).exists():
            return f"real-kytos/setup.sh (run by run-tests.sh) has not prepared {what} in .cache/kytos-ng"
    return None


def skip_unless_ready(**parts: bool) -> None:
    """Skips the calling test module, saying why, when `readiness(**parts)` finds something missing."""
    import pytest

    reason = readiness(**parts)
    if reason is not None:
        pytest.skip(reason, allow_module_level=True)


#: The NApp's counters (after /api/).
STATS = "kafka_events/webhook_forwarder/v1/stats"

#: The webhook secret the service and the NApp share in these tests.
SECRET = "kytos-webhook-secret-for-the-real-kytos-0123"


def napp_env(service) -> dict[str, str]:
    """The NApp's settings, in kytosd's environment, for posting to `service`."""
    return {
        "KAFKA_EVENTS_WEBHOOK_URL": service.url,
        "KAFKA_EVENTS_WEBHOOK_SECRET": SECRET,
        "KAFKA_EVENTS_RETRY_INITIAL_SECONDS": "0.1",
        "KAFKA_EVENTS_RETRY_MAX_SECONDS": "0.5",
        "KAFKA_EVENTS_SHUTDOWN_FLUSH_SECONDS": "20",
    }


def readme_install_steps() -> str:
    """The shell block under 'Install it into Kytos' in the NApp's README."""
    text = NAPP_README.read_text(encoding="utf-8")
    section = text.split("## Install it into Kytos", 1)[1]
    return re.search(r"```bash\n(.*?)```", section, re.S).group(1)


def venv_env(**extra: str) -> dict[str, str]:
    """The environment of a shell in kytosd's virtualenv, activated."""
    venv = CACHE / "venv"
    return {**os.environ, "VIRTUAL_ENV": str(venv), "PATH": f"{venv / 'bin'}:{os.environ['PATH']}", **extra}


def install_napp(napps: Path) -> None:
    """This NApp installed into kytosd's virtualenv and `napps` folder by the README's install
    steps, run as written (pip, from the repository's root)."""
    done = subprocess.run(["bash", "-euo", "pipefail", "-c", readme_install_steps()], check=False, cwd=ROOT,
                          env=venv_env(KYTOS_NAPPS=str(napps)), timeout=300, capture_output=True, text=True)
    assert done.returncode == 0, f"the NApp's install failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"


class RealKytos:
    """`napps`: the Kytos-ng NApps to load before this one, in that order (`user/name`, or `name` of
    user kytos, or the folder of a test NApp), with `settings` lines replaced in their settings.py (e.g.
    `{"of_core": {"STATS_INTERVAL": "3"}}`). flow_manager needs mongowire for its database; of_core
    alone runs on FerretDB. `api_port`: the NApps call each other at localhost:8181, so a stack of
    them needs kytosd's REST API there. `forwarder=False`: without this NApp (the controller's
    baseline), the event recorder then loading last. `conf_edits`: (text, replacement) pairs
    applied to kytos.conf."""

    def __init__(self, workdir: Path, napp_env: dict[str, str], *, napps: tuple[str | Path, ...] = ("of_core",),
                 settings: dict[str, dict[str, str]] | None = None, api_port: int | None = None,
                 forwarder: bool = True, conf_edits: tuple[tuple[str, str], ...] = ()) -> None:
        self.workdir = workdir
        self.napps = workdir / "napps"
        self.api_port, self.of_port, self.mongo_port = api_port or free_port(), free_port(), free_port()
        self.napp_env = napp_env
        self.log = workdir / "kytosd.log"
        self.process: subprocess.Popen | None = None
        self._run_starts_at = 0
        self._database: subprocess.Popen | None = None
        self._mongowire = "flow_manager" in napps
        self.forwarder = forwarder
        self.conf_edits = conf_edits
        self._install(napps, settings or {})

    def _install(self, napps: tuple[str | Path, ...], settings: dict[str, dict[str, str]]) -> None:
        (self.napps / ".installed").mkdir(parents=True, exist_ok=True)
        for folder in (self.napps, self.napps / ".installed"):
            (folder / "__init__.py").touch()
        # Laid out as `kytos napps install` leaves them, and enabled. kytosd loads NApps in the
        # order of their kytos.json's modification time: each is a second newer than the last.
        loaded_at = time.time() - 100
        for number, napp in enumerate(napps):
            if isinstance(napp, Path):
                source = napp
                user, name = (json.loads((napp / "kytos.json").read_text())[key] for key in ("username", "name"))
            else:
                user, name = napp.split("/") if "/" in napp else ("kytos", napp)
                source = CACHE / "src" / name
            installed = self.napps / ".installed" / user
            for folder in (installed, self.napps / user):
                folder.mkdir(exist_ok=True)
                (folder / "__init__.py").touch()
            shutil.copytree(source, installed / name)
            (self.napps / user / name).symlink_to(installed / name)
            settings_file = installed / name / "settings.py"
            for setting, value in settings.get(name, {}).items():
                text = re.sub(rf"(?m)^{setting} = .*$", f"{setting} = {value}", settings_file.read_text())
                settings_file.write_text(text)
            os.utime(installed / name / "kytos.json", (loaded_at + number, loaded_at + number))
        assert self.forwarder or isinstance(napps[-1], Path), "without this NApp, the recorder must load last"
        if self.forwarder:
            install_napp(self.napps)

    def _start_database(self, user: str, password: str) -> None:
        if self._mongowire:
            command = [str(CACHE / "venv" / "bin" / "python"), str(Path(__file__).parent / "mongowire_indexed.py"),
                       str(CACHE / "mongowire.py"),
                       "--port", str(self.mongo_port), "--user", user, "--password", password]
        else:
            data = self.workdir / "ferretdb"
            data.mkdir(exist_ok=True)
            command = [str(CACHE / "ferretdb"), "--handler=sqlite", f"--sqlite-url=file:{data}/",
                       f"--listen-addr=127.0.0.1:{self.mongo_port}", "--test-enable-new-auth",
                       "--setup-database=napps", f"--setup-username={user}", f"--setup-password={password}",
                       "--telemetry=disable", f"--state-dir={data}"]
        self._database = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    DATABASE_USER, DATABASE_PASSWORD = "kytos", "kytos-test-password"

    def restart_database(self) -> None:
        """A new, empty database (mongowire keeps its data in memory), as a clean config wants."""
        if self._database is not None and self._database.poll() is None:
            self._database.kill()
            self._database.wait(timeout=10)
        self._start_database(self.DATABASE_USER, self.DATABASE_PASSWORD)

    def start(self, enable_all: bool | None = None) -> None:
        """Starts kytosd (and its database, the first time); `enable_all`: kytosd's -E, by default
        with flow_manager, which installs flows only on enabled switches."""
        user, password = self.DATABASE_USER, self.DATABASE_PASSWORD
        if self._database is None:
            self._start_database(user, password)
        if enable_all is None:
            enable_all = self._mongowire
        (self.workdir / "kytosd.pid").unlink(missing_ok=True)
        venv = CACHE / "venv"
        conf = (venv / "etc" / "kytos" / "kytos.conf").read_text()
        conf = re.sub(r"(?m)^api_port = .*$", f"api_port = {self.api_port}", conf)
        conf = re.sub(r"(?m)^port = .*$", f"port = {self.of_port}", conf)
        conf = re.sub(r"(?m)^listen = .*$", "listen = 127.0.0.1", conf)
        conf = re.sub(r"(?m)^napps = .*$", f"napps = {self.napps}", conf)
        conf = re.sub(r"(?m)^pidfile = .*$", f"pidfile = {self.workdir / 'kytosd.pid'}", conf)
        for old, new in self.conf_edits:
            assert old in conf, f"kytos.conf has no {old!r}"
            conf = conf.replace(old, new)
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
        # The log grows across restarts; what this run of kytosd wrote starts here.
        self._run_starts_at = len(self.output())
        with self.log.open("ab") as log:
            # -f: in the foreground, with its shell on stdin (kept open: closing it ends kytosd).
            self.process = subprocess.Popen(
                [str(venv / "bin" / "kytosd"), "-f", "-c", str(self.workdir / "kytos.conf"), "-s", "openflow",
                 *(["--database", "mongodb"] if self._mongowire else []), *(["-E"] if enable_all else [])],
                env=env, stdin=subprocess.PIPE, stdout=log, stderr=subprocess.STDOUT, cwd=self.workdir,
            )
        # The NApp that loads last (this one, or else the recorder) answers once every NApp has loaded.
        last = STATS if self.forwarder else RECORDER_EVENTS
        self.wait_for(lambda: self._answer(last) is not None, "the last NApp's REST endpoint", 90)
        assert "Error loading NApp" not in self.run_output(), self.run_output()[-4000:]

    def post(self, path: str, body: dict, timeout: float = 120) -> int:
        """POSTs JSON to kytosd's REST API (`path` after /api/); the answer's status."""
        return self.api("POST", path, body, timeout)[0]

    def api(self, method: str, path: str, body: dict | None = None, timeout: float = 120):
        """kytosd's REST API (`path` after /api/): the answer's status and JSON body; an error
        status raises urllib's HTTPError."""
        request = urllib.request.Request(f"http://127.0.0.1:{self.api_port}/api/{path}", method=method,
                                         data=None if body is None else json.dumps(body).encode(),
                                         # flow_manager reads a JSON body whenever one is announced.
                                         headers={} if body is None else {"content-type": "application/json"})
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            text = answer.read()
            return answer.status, json.loads(text) if text else None

    def _answer(self, path: str):
        """GET `path` within 2 s: its JSON, or None when kytosd does not answer (yet)."""
        try:
            return self.api("GET", path, timeout=2)[1]
        except OSError:
            return None

    def stats(self, timeout: float = 30) -> dict:
        """The NApp's GET v1/stats; a kytosd busy with a storm of events may be slow to answer."""
        deadline = time.monotonic() + timeout
        while (answer := self._answer(STATS)) is None:
            assert time.monotonic() < deadline, f"the NApp's stats did not answer within {timeout} s"
            time.sleep(0.2)
        return answer

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
        while "Stopped TCP Server" not in self.run_output():
            assert time.monotonic() < deadline, f"kytosd did not stop:\n{self.output()[-4000:]}"
            time.sleep(0.1)
        self.process.stdin.close()
        try:
            # The NApp's shutdown flush (KAFKA_EVENTS_SHUTDOWN_FLUSH_SECONDS) comes first.
            return self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            output = self.output()
            self.stop()
            raise AssertionError(f"kytosd did not exit after its TCP server stopped:\n{output[-4000:]}") from None

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def run_output(self) -> str:
        """What kytosd wrote since it was last started."""
        return self.output()[self._run_starts_at:]

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self) -> None:
        for process in (self.process, self._database):
            if process is not None and process.poll() is None:
                process.kill()
                process.wait(timeout=10)
