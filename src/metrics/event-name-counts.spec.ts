import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Registry } from 'prom-client';
import { EVENT_NAMES_COUNTED, EventNameCounts, OTHER_EVENT_NAMES } from './event-name-counts.js';

const seriesOf = (text: string) =>
  text.split('\n').filter((line) => line.startsWith('kafka_events_events_total{'));

describe('EventNameCounts', () => {
  it('counts each stage of each name in a series of its own', async () => {
    const registry = new Registry();
    const counts = new EventNameCounts(registry);
    counts.count('received', 'kytos/topology.link_up', 3);
    counts.count('permitted', 'kytos/topology.link_up', 2);
    counts.count('published', 'kytos/topology.link_up');
    counts.count('received', 'kytos/of_core.switch.new');
    const text = await registry.metrics();
    for (const line of [
      'kafka_events_events_total{event="kytos/topology.link_up",stage="received"} 3',
      'kafka_events_events_total{event="kytos/topology.link_up",stage="permitted"} 2',
      'kafka_events_events_total{event="kytos/topology.link_up",stage="published"} 1',
      'kafka_events_events_total{event="kytos/of_core.switch.new",stage="received"} 1',
    ]) {
      assert.ok(seriesOf(text).includes(line), line);
    }
  });

  it('counts names that differ only in lone surrogates in one series, as they print alike', async () => {
    const registry = new Registry();
    const counts = new EventNameCounts(registry);
    counts.count('received', 'lone\ud800x');
    counts.count('received', 'lone\udc00x');
    const lines = seriesOf(await registry.metrics()).filter((line) => line.includes('lone'));
    assert.deepEqual(lines, ['kafka_events_events_total{event="lone\ufffdx",stage="received"} 2']);
  });

  it('puts every name past the first EVENT_NAMES_COUNTED under one, however many come', async () => {
    const registry = new Registry();
    const counts = new EventNameCounts(registry);
    for (let i = 0; i < EVENT_NAMES_COUNTED + 1000; i++) counts.count('received', `name-${i}`);
    counts.count('received', 'name-0');
    const series = seriesOf(await registry.metrics()).filter((line) => line.includes('received'));
    assert.equal(series.length, EVENT_NAMES_COUNTED + 1);
    assert.ok(series.includes('kafka_events_events_total{event="name-0",stage="received"} 2'));
    assert.ok(
      series.includes(
        `kafka_events_events_total{event="${OTHER_EVENT_NAMES}",stage="received"} 1000`,
      ),
    );
    assert.ok(!series.some((line) => line.includes(`name-${EVENT_NAMES_COUNTED}"`)));
  });
});
