import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FilterRule, InvalidPatternError } from './filter-rule.js';

describe('FilterRule', () => {
  it('matches at the start of the name only, like re.match', () => {
    const rule = FilterRule.create('kytos[./](.*)', '', false);
    assert.ok(rule.matches('kytos/topology.link_up'));
    assert.ok(rule.matches('kytos.flow_manager.flows.install'));
    assert.ok(!rule.matches('topology.interruption.start'));
    assert.ok(!rule.matches('x-kytos/topology.link_up'));
  });

  it('matches exactly when the pattern ends with $', () => {
    const rule = FilterRule.create('kytos/topology.link_up$', '', true);
    assert.ok(rule.matches('kytos/topology.link_up'));
    assert.ok(!rule.matches('kytos/topology.link_up.extra'));
  });

  it('keeps an alternation inside the anchor', () => {
    const rule = FilterRule.create('a|b', '', true);
    assert.ok(rule.matches('b-event'));
    assert.ok(!rule.matches('xb'));
  });

  it('derives a stable id from action and pattern', () => {
    const id = FilterRule.create('kytos[./](.*)', 'one', false).id;
    assert.equal(FilterRule.create('kytos[./](.*)', 'other', true).id, id);
    assert.match(id, /^[0-9a-f]{16}$/);
    assert.notEqual(FilterRule.create('kytos/(.*)', '', true).id, id);
    assert.notEqual(FilterRule.create('kytos[./](.*)', '', true, 'deny').id, id);
  });

  it('refuses a pattern that does not compile, or would escape its group', () => {
    assert.throws(() => FilterRule.create('kytos/(', '', true), InvalidPatternError);
    assert.throws(() => FilterRule.create('a)|(b', '', true), InvalidPatternError);
  });
});
