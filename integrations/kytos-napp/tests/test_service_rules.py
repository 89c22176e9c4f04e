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
    assert rules.permits(RAW + "\n"), "a line break: the service decides"


def test_leaves_to_the_service_what_an_operator_may_change_at_any_time():
    rules = ServiceRules()
    rules.learn({**DEFAULTS, "d": {"pattern": r"kytos/topology\.", "action": "deny", "mutable": True}})
    # An operator's deny rule may be deleted the next moment, and an allow rule for names no
    # preset allows may be added: neither is decided here.
    assert rules.permits("kytos/topology.link_up")
    assert rules.permits("topology.interruption.start")
    assert not rules.permits(RAW)


def test_a_preset_in_syntax_the_engines_read_differently_is_not_learned():
    for pattern in (r"\Qkytos/topology.", r"[[:alpha:]]+/topology\.", "kytos/topology("):
        rules = ServiceRules()
        rules.learn({**DEFAULTS, "d": {"pattern": pattern, "action": "deny", "mutable": False}})
        assert rules.known and rules.permits("kytos/topology.link_up"), pattern
        assert not rules.permits(RAW), pattern


def test_forgets_everything_for_an_answer_that_is_not_rules():
    for answer in (["not", "rules"], {"a": {"action": "deny", "mutable": False}}, {"a": {"pattern": 7}}):
        rules = ServiceRules()
        rules.learn(DEFAULTS)
        rules.learn(answer)
        assert not rules.known, answer
        assert rules.permits(RAW)
