from webhook_forwarder.service_rules import ServiceRules

DEFAULTS = {
    "a": {"pattern": "kytos[./](.*)", "action": "allow"},
    "b": {"pattern": r"kytos/of_core\.v0x04\.messages\.", "action": "deny"},
    "c": {"pattern": r"kytos/core\.openflow\.raw\.", "action": "deny"},
}


def test_decides_as_the_service_does_matching_each_rule_from_the_start():
    rules = ServiceRules()
    assert rules.permits("kytos/of_core.v0x04.messages.in.ofpt_echo_request"), "nothing learned: send"
    rules.learn(DEFAULTS)
    assert rules.permits("kytos/topology.link_up")
    assert not rules.permits("kytos/of_core.v0x04.messages.in.ofpt_echo_request")
    assert not rules.permits("topology.interruption.start"), "no allow rule matches"
    assert not rules.permits("xkytos/topology.link_up"), "anchored at the start"
    assert rules.permits("kytos/of_core.v0x04.messages.in.x\n"), "a line break: the service decides"


def test_forgets_everything_for_syntax_the_engines_read_differently_or_a_bad_answer():
    for answer in (
        {**DEFAULTS, "d": {"pattern": r"\Qkytos/of_core.", "action": "deny"}},
        {**DEFAULTS, "d": {"pattern": r"[[:alpha:]]+", "action": "deny"}},
        {**DEFAULTS, "d": {"pattern": "a(", "action": "deny"}},
        ["not", "rules"],
        {"a": {"action": "allow"}},
    ):
        rules = ServiceRules()
        rules.learn(DEFAULTS)
        rules.learn(answer)
        assert not rules.known, answer
        assert rules.permits("kytos/of_core.v0x04.messages.in.ofpt_echo_request")
