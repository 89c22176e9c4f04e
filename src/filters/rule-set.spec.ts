import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FilterRule } from './filter-rule.js';
import { RuleSet, RuleSetCompileError } from './rule-set.js';

const allow = (pattern: string) => FilterRule.create(pattern, '', true, 'allow');
const deny = (pattern: string) => FilterRule.create(pattern, '', true, 'deny');

describe('RuleSet', () => {
  it('decides each rule as if alone: group names reused, \\Q without \\E, scoped flags', () => {
    const rules = [
      allow('kytos/(?P<napp>mef_eline)\\.'),
      allow('kytos/(?P<napp>topology)\\.x'),
      allow('\\Qa.b'),
      allow('(?i)LOUD'),
      deny('kytos/mef_eline\\.deleted'),
    ];
    const set = RuleSet.strict(rules);
    assert.ok(set.permits('kytos/mef_eline.created'));
    assert.ok(set.permits('kytos/topology.x'));
    assert.ok(!set.permits('kytos/topology.y'));
    assert.ok(set.permits('a.b.c'));
    assert.ok(!set.permits('aXb'));
    assert.ok(set.permits('loud'));
    assert.ok(!set.permits('xkytos/mef_eline.created'), 'anchored at the start');
    assert.deepEqual(set.explain('kytos/mef_eline.deleted'), {
      published: false,
      allowedBy: [rules[0]?.id],
      deniedBy: [rules[4]?.id],
      topic: undefined,
      key: undefined,
    });
  });

  it('routes by the most specific matching allow rule: longest pattern, then smallest id', () => {
    const routed = (pattern: string, topic?: string, key?: string) =>
      FilterRule.create(pattern, '', true, 'allow', { topic, key });
    const broad = routed('kytos/', 'kytos.all', '/content/switch/dpid');
    const evcs = routed('kytos/mef_eline\\.', 'kytos.evcs');
    const created = routed('kytos/mef_eline\\.created$');
    const set = RuleSet.strict([broad, evcs, created, deny('kytos/mef_eline\\.deleted')]);
    // The longest matching pattern with a topic is evcs'; only the broad rule carries a key.
    const decision = set.explain('kytos/mef_eline.created');
    assert.equal(decision.topic, 'kytos.evcs');
    assert.equal(decision.key?.text, '/content/switch/dpid');
    assert.equal(set.explain('kytos/topology.link_up').topic, 'kytos.all');
    assert.equal(set.explain('kytos/mef_eline.deleted').topic, undefined, 'denied: no route');
    assert.equal(set.explain('other').topic, undefined);
    // Equal lengths: the smaller id wins, whatever the order of the rules.
    const sorted = [routed('kytos/aaa', 'one'), routed('kytos/a.a', 'two')].sort((a, b) =>
      a.id < b.id ? -1 : 1,
    );
    for (const order of [sorted, [...sorted].reverse()]) {
      assert.equal(RuleSet.strict(order).explain('kytos/aaa').topic, sorted[0]?.topic);
    }
  });

  it('past RE2 program size, is refused strictly and otherwise decides rule by rule', () => {
    // Each about 300,000 RE2 instructions: five exceed RE2's program size (1.4 million).
    const rules = [...'abcde'].map((letter) => allow(`${letter}${'[a-z]{1000}'.repeat(300)}`));
    rules.push(allow('kytos/'), deny('kytos/secret'));
    assert.throws(() => RuleSet.strict(rules), RuleSetCompileError);
    const set = new RuleSet(rules);
    assert.ok(set.permits('kytos/topology.link_up'));
    assert.ok(!set.permits('kytos/secret.x'));
    assert.ok(set.permits(`a${'q'.repeat(300_000)}`));
    assert.ok(!set.permits('other'));
  });

  it('permits nothing without rules', () => {
    assert.ok(!new RuleSet([]).permits('kytos/topology.link_up'));
  });
});
