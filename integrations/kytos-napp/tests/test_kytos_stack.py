"""kytos-ng's own Kafka test (`tests/test_e2e_90_kafka_events.py` of kytos-end-to-end-tests), run
unedited against the whole Kytos-ng stack (kytosd with of_core, flow_manager, topology, of_lldp,
pathfinder, sdntrace_cp, maintenance and mef_eline, then this NApp installed as its README says),
the real service and a real broker. Only its `tests.helpers.NetworkTest` is ours
(kytos_stack_harness/network_test.py, installed into kytosd's virtualenv by run-tests.sh: the
emulated OpenFlow network instead of Mininet)."""

import json
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import pytest
from kytos_stack_harness.kytosd import CACHE, SECRET, napp_env, skip_unless_ready
from kytos_stack_harness.service_under_test import Service
from kytos_stack_harness.stack import KYTOS_API_PORT

pytestmark = pytest.mark.e2e
skip_unless_ready(with_stack=True)


UPSTREAM = CACHE / "src" / "kytos-end-to-end-tests"
UPSTREAM_TEST = "test_e2e_90_kafka_events.py"


def upstream_suite(workdir: Path) -> Path:
    """The upstream test and its pytest.ini, copied as they are, beside a `tests.helpers` that
    gives them our NetworkTest."""
    suite = workdir / "kytos-end-to-end-tests"
    (suite / "tests").mkdir(parents=True)
    shutil.copy(UPSTREAM / "pytest.ini", suite)
    shutil.copy(UPSTREAM / "tests" / UPSTREAM_TEST, suite / "tests")
    (suite / "tests" / "__init__.py").touch()
    (suite / "tests" / "helpers.py").write_text(
        "from kytos_stack_harness.network_test import NetworkTest  # noqa: F401\n")
    return suite


def port_in_use(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def test_kytos_ng_own_kafka_test_passes(broker):
    assert not port_in_use(KYTOS_API_PORT), f"the upstream test needs kytosd on 127.0.0.1:{KYTOS_API_PORT}"
    # The topic and the rules the Python NApp it was written for had: event_logs, kytos events.
    service = Service(f"127.0.0.1:{broker.port}", SECRET, "event_logs")
    service.start()
    workdir = Path(tempfile.mkdtemp(prefix="kytos-stack-"))
    suite = upstream_suite(workdir)
    env = {
        **os.environ,
        "KAFKA_HOST_ADDR": f"127.0.0.1:{broker.port}",
        "KAFKA_EVENTS_KYTOS_STACK": json.dumps({"workdir": str(workdir / "kytos"), "napp_env": napp_env(service)}),
    }
    try:
        result = subprocess.run(
            [str(CACHE / "venv" / "bin" / "python"), "-m", "pytest", "-p", "no:cacheprovider", "-rA",
             f"tests/{UPSTREAM_TEST}"],
            check=False, cwd=suite, env=env, capture_output=True, text=True, timeout=600)
    finally:
        service.stop()
    kytos_log = workdir / "kytos" / "kytosd.log"
    context = result.stdout[-6000:] + result.stderr[-2000:]
    if result.returncode != 0 and kytos_log.exists():
        context += "\n--- kytosd.log ---\n" + kytos_log.read_text(errors="replace")[-6000:]
    assert result.returncode == 0, context
    assert "1 passed" in result.stdout, context
    print(f"kytos-ng's {UPSTREAM_TEST}: {result.stdout.strip().splitlines()[-1]}")
    # Read again by Kafka's own consumer: the EVC the test created, whole, and nothing raw.
    values = broker.read_values("event_logs", 100_000)
    created = [v for v in values if v["event"] == "kytos/mef_eline.created"]
    assert [v["message"]["name"] for v in created] == ["Vlan_902"], [v["event"] for v in values][:50]
    evc = created[0]["message"]
    assert evc["uni_a"]["interface_id"] == "00:00:00:00:00:00:00:01:1"
    assert evc["uni_z"]["interface_id"] == "00:00:00:00:00:00:00:03:1"
    assert not [v["event"] for v in values if ".messages." in v["event"] or ".openflow.raw." in v["event"]]
