import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  BadRequestException,
  ConflictException,
  ForbiddenException,
  NotFoundException,
} from '@nestjs/common';
import { ConfigError, loadAppConfig } from '../config/app-config.js';
import { FilterService } from './filter.service.js';
import { InMemoryRuleStore } from './rule-store.js';

function serviceWith(env: Record<string, string> = {}): FilterService {
  return new FilterService(loadAppConfig(env), new InMemoryRuleStore());
}

describe('FilterService', () => {
  it('permits only what a rule allows (least privilege)', () => {
    const filters = serviceWith();
    assert.ok(filters.decide('kytos/topology.link_up'));
    assert.ok(filters.decide('kytos.flow_manager.flows.install'));
    assert.ok(!filters.decide('topology.interruption.start'));
  });

  it('permits nothing when there are no rules at all', () => {
    const filters = serviceWith({ FILTER_PRESETS: '[]' });
    assert.ok(!filters.decide('kytos/topology.link_up'));
    assert.deepEqual(filters.list(), []);
  });

  it('lists the presets as immutable, with their description', () => {
    const [preset] = serviceWith().list();
    assert.equal(preset?.pattern, 'kytos[./](.*)');
    assert.equal(preset?.description, 'Allows all core NApps');
    assert.equal(preset?.mutable, false);
  });

  it('applies a new rule to the next decision, even for a name already decided', async () => {
    const filters = serviceWith();
    assert.ok(!filters.decide('topology.interruption.start'));
    const rule = await filters.create('topology\\.interruption\\.', 'interruptions');
    assert.ok(filters.decide('topology.interruption.start'));
    await filters.remove(rule.id);
    assert.ok(!filters.decide('topology.interruption.start'));
  });

  it('refuses a duplicate pattern, a bad regex and an over-long pattern with 400', async () => {
    const filters = serviceWith({ FILTER_MAX_PATTERN_LENGTH: '10' });
    await assert.rejects(filters.create('kytos[./](.*)', ''), BadRequestException);
    await assert.rejects(filters.create('a(', ''), /invalid regular expression/);
    await assert.rejects(filters.create('a'.repeat(11), ''), /longer than 10/);
    await filters.create('x', '');
    await assert.rejects(filters.create('x', 'again'), /already exists/);
  });

  it('refuses a rule past the limit with 409', async () => {
    const filters = serviceWith({ FILTER_MAX_RULES: '1' });
    await filters.create('a', '');
    await assert.rejects(filters.create('b', ''), ConflictException);
  });

  it('refuses to delete a preset (403) or an unknown id (404)', async () => {
    const filters = serviceWith();
    const [preset] = filters.list();
    await assert.rejects(filters.remove(preset?.id ?? ''), ForbiddenException);
    await assert.rejects(filters.remove('0000000000000000'), NotFoundException);
  });

  it('stops the start when a preset does not compile', () => {
    assert.throws(() => serviceWith({ FILTER_PRESETS: '[{"pattern":"a("}]' }), ConfigError);
  });
});
