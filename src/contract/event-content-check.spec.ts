import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EventMetrics } from '../metrics/index.js';
import { contractSettings } from './contract.settings.js';
import { EventContentCheck } from './event-content-check.js';

const linkUp = 'kytos/topology.link_up';
/** A link_up whose link lost every field topology writes. */
const broken = { link: 'l1', reason: 'link up' };

function checkIn(mode: string) {
  const metrics = new EventMetrics();
  const check = new EventContentCheck(
    contractSettings.parse({ EVENT_SCHEMA_VALIDATION: mode }),
    metrics,
  );
  const counted = async () =>
    (await metrics.registry.getSingleMetric('kafka_events_schema_mismatches_total')?.get())?.values;
  return { check, counted };
}

describe('EVENT_SCHEMA_VALIDATION', () => {
  it('off: checks nothing and registers no metric', async () => {
    const { check, counted } = checkIn('off');
    assert.equal(check.refusalOf(linkUp, broken), undefined);
    assert.equal(await counted(), undefined);
  });

  it('warn: lets a mismatch through and counts it by event name', async () => {
    const { check, counted } = checkIn('warn');
    assert.equal(check.refusalOf(linkUp, broken), undefined);
    assert.equal(check.refusalOf(linkUp, broken), undefined);
    assert.deepEqual(await counted(), [{ value: 2, labels: { event: linkUp } }]);
  });

  it('enforce: refuses a mismatch with where it failed, in the content and in the schema', () => {
    const { check } = checkIn('enforce');
    assert.deepEqual(check.refusalOf(linkUp, broken), {
      schema: 'LinkStatusEvent',
      instancePath: '/link',
      schemaPath: 'LinkStatusEvent#/properties/link/type',
      message: 'must be object',
    });
  });

  it('enforce: leaves names no family lists alone', async () => {
    const { check, counted } = checkIn('enforce');
    assert.equal(check.refusalOf('kytos/of_lldp.loop.detected', { anything: 1 }), undefined);
    assert.deepEqual(await counted(), []);
  });

  it('refuses an unknown mode at start', () => {
    assert.throws(
      () => contractSettings.parse({ EVENT_SCHEMA_VALIDATION: 'strict' }),
      /EVENT_SCHEMA_VALIDATION/,
    );
  });
});
