import json
import shutil
import subprocess
import time
import tracemalloc
from pathlib import Path

import pytest
from kytos_stack_harness.service_under_test import NODE

from webhook_forwarder import service_rules
from webhook_forwarder.service_rules import ServiceRules

#: The service's GET /filters with its default presets (mutable: false).
DEFAULTS = {
    "a": {"pattern": "kytos[./](.*)", "action": "allow", "mutable": False},
    "b": {"pattern": r"kytos/of_core\.v0x04\.messages\.", "action": "deny", "mutable": False},
    "c": {"pattern": r"kytos/core\.openflow\.raw\.", "action": "deny", "mutable": False},
}
RAW = "kytos/of_core.v0x04.messages.in.ofpt_echo_request"


def test_denies_what_a_preset_deny_rule_matches_from_the_start_of_the_name():
    rules = ServiceRules()
    assert rules.permits(RAW), "nothing learned: send"
    rules.learn(DEFAULTS)
    assert rules.permits("kytos/topology.link_up")
    assert not rules.permits(RAW)
    assert rules.permits("x" + RAW), "anchored at the start"


def test_leaves_to_the_service_what_an_operator_may_change_at_any_time():
    rules = ServiceRules()
    rules.learn({**DEFAULTS, "d": {"pattern": r"kytos/topology\.", "action": "deny", "mutable": True}})
    # An operator's deny rule may be deleted the next moment, and an allow rule for names no
    # preset allows may be added: neither is decided here.
    assert rules.permits("kytos/topology.link_up")
    assert rules.permits("topology.interruption.start")
    assert not rules.permits(RAW)


def test_a_preset_read_through_unicode_tables_is_not_learned():
    # re2js and the C++ RE2 may hold the Unicode tables at different versions.
    for pattern in (r"(?i)kytos/topology\.", r"\pL+/topology\.", r"kytos/\p{Greek}|kytos/topology", "kytos/topology("):
        rules = ServiceRules()
        rules.learn({**DEFAULTS, "d": {"pattern": pattern, "action": "deny", "mutable": False}})
        assert rules.known and rules.permits("kytos/topology.link_up"), pattern
        assert not rules.permits(RAW), pattern


#: (deny preset, event name, whether the service's RE2 denies it), from the start of the name.
SERVICE_DECISIONS = [
    # Linear in RE2; Python's re backtracks exponentially on it.
    (r"kytos/(\w+\.?)*\.private$", "kytos/" + "a" * 23 + "!", False),
    (r"kytos/(\w+\.?)*\.private$", "kytos/a.b.private", True),
    # RE2 reads {,2} literally: "x{,2}", not "at most two x".
    (r"kytos/audit\.x{,2}$", "kytos/audit.x", False),
    (r"kytos/audit\.x{,2}$", "kytos/audit.xx", False),
    (r"kytos/audit\.x{,2}$", "kytos/audit.x{,2}", True),
    # RE2's \d, \w, \s are ASCII.
    (r"kytos/port\d$", "kytos/port\u0663", False),
    (r"kytos/port\d$", "kytos/port3", True),
    (r"kytos/\w+$", "kytos/caf\u00e9", False),
    (r"kytos/a\s", "kytos/a\u00a0", False),
    # RE2's $ is the end of the text, never before a final line break.
    (r"kytos/a$", "kytos/a\n", False),
    (r"kytos/a", "kytos/a\n", True),
    (r"\Qkytos/a.b\E", "kytos/a.b", True),
    (r"[[:alpha:]]+/x", "kytos/x", True),
    (r"kytos/.$", "kytos/\U0001f600", True),
]


def test_decides_as_the_services_re2_and_in_linear_time():
    for pattern, name, denied in SERVICE_DECISIONS:
        rules = ServiceRules()
        rules.learn({"d": {"pattern": pattern, "action": "deny", "mutable": False}})
        started = time.perf_counter()
        permitted = rules.permits(name)
        elapsed = time.perf_counter() - started
        assert permitted is not denied, (pattern, name)
        assert elapsed < 0.05, (pattern, name, elapsed)


def test_the_decisions_above_are_the_services_own():
    """Asks re2js, the engine of the service's rules (src/filters/filter-rule.ts), each case."""
    root = Path(__file__).resolve().parents[3]
    if shutil.which(NODE) is None or not (root / "node_modules/re2js").is_dir():
        pytest.skip("needs node and the repository's node_modules (npm ci)")
    script = (
        "const { RE2JS } = require('re2js');"
        "const cases = JSON.parse(require('fs').readFileSync(0, 'utf8'));"
        "console.log(JSON.stringify(cases.map(([p, n]) => RE2JS.compile(p).matcher(n).lookingAt())));"
    )
    cases = [[pattern, name] for pattern, name, _ in SERVICE_DECISIONS]
    answer = subprocess.run([NODE, "-e", script], input=json.dumps(cases), capture_output=True, text=True,
                            cwd=root, check=True, timeout=60)
    assert json.loads(answer.stdout) == [denied for _, _, denied in SERVICE_DECISIONS]


def test_without_re2_nothing_is_decided_here(monkeypatch):
    monkeypatch.setattr(service_rules, "re2", None)
    rules = ServiceRules()
    assert not rules.can_learn
    rules.learn(DEFAULTS)
    assert not rules.known
    assert rules.permits(RAW), "sent for the service to decide"


def test_a_flood_of_new_names_costs_bounded_memory():
    rules = ServiceRules()
    rules.learn(DEFAULTS)
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for number in range(20_000):
            rules.permits(f"kytos/flood.{number:06d}." + "x" * 1000)
            rules.permits(f"kytos/flood.{number:06d}")
        growth = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    # 20,000 names of a kilobyte, and 20,000 short ones: kept whole, over 20 MB.
    assert growth < 2 * 1024 * 1024, growth
    assert not rules.permits(RAW), "still decided"


def test_forgets_everything_for_an_answer_that_is_not_rules():
    for answer in (["not", "rules"], {"a": {"action": "deny", "mutable": False}}, {"a": {"pattern": 7}}):
        rules = ServiceRules()
        rules.learn(DEFAULTS)
        rules.learn(answer)
        assert not rules.known, answer
        assert rules.permits(RAW)
