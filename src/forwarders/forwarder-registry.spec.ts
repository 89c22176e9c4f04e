import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  CountersWentBackError,
  type ForwarderCounters,
  ForwarderRegistry,
  RunSupersededError,
  TooManyForwardersError,
} from './forwarder-registry.js';

const COUNTERS: ForwarderCounters = {
  forwarded: 5,
  droppedByCause: { queue_full: 1 },
  queueDepth: 0,
  loopSeconds: 0.5,
};

describe('ForwarderRegistry', () => {
  it('shows a forwarder silent once no report came for longer than FORWARDER_SILENT_AFTER_MS', () => {
    let now = 1_000_000;
    const registry = new ForwarderRegistry({ silentAfterMs: 60_000, maxForwarders: 4 }, () => now);
    registry.record('kytos-1', 'run-1', COUNTERS);
    assert.deepEqual(
      registry.states().map(({ id, counters, lastReportMs, silent }) => ({
        id,
        forwarded: counters.forwarded,
        lastReportMs,
        silent,
      })),
      [{ id: 'kytos-1', forwarded: 5, lastReportMs: 1_000_000, silent: false }],
    );
    now += 60_000;
    assert.equal(registry.states()[0]?.silent, false, 'at the limit itself');
    now += 1;
    assert.equal(registry.states()[0]?.silent, true);
    registry.record('kytos-1', 'run-1', { ...COUNTERS, forwarded: 9 });
    assert.equal(registry.states()[0]?.silent, false);
    assert.equal(registry.states()[0]?.lastReportMs, 1_060_001);
    assert.equal(registry.states()[0]?.counters.forwarded, 9);
  });

  it('refuses one forwarder more than FORWARDERS_MAX and keeps every known one, silent too', () => {
    let now = 0;
    const registry = new ForwarderRegistry({ silentAfterMs: 10, maxForwarders: 2 }, () => now);
    registry.record('a', 'r', COUNTERS);
    registry.record('b', 'r', COUNTERS);
    now = 1000;
    assert.throws(() => registry.record('c', 'r', COUNTERS), TooManyForwardersError);
    registry.record('a', 'r', COUNTERS);
    assert.deepEqual(
      registry.states().map(({ id, silent }) => [id, silent]),
      [
        ['a', false],
        ['b', true],
      ],
    );
  });

  it('refuses, within a run, a report that counts less than the one before, and keeps the last', () => {
    const registry = new ForwarderRegistry({ silentAfterMs: 1000, maxForwarders: 4 }, () => 0);
    const last: ForwarderCounters = { ...COUNTERS, eventsSeen: 20, filteredLocally: 3 };
    registry.record('k', 'run-1', last);
    const lower: [string, Partial<ForwarderCounters>][] = [
      ['forwarded', { forwarded: 4 }],
      ['loop_seconds', { loopSeconds: 0.4 }],
      ['events_seen', { eventsSeen: 19 }],
      ['filtered_locally', { filteredLocally: undefined }],
      ['dropped.queue_full', { droppedByCause: { too_large: 7 } }],
    ];
    for (const [counter, change] of lower) {
      assert.throws(
        () => registry.record('k', 'run-1', { ...last, ...change }),
        (error: unknown) =>
          error instanceof CountersWentBackError && error.message.includes(` ${counter} `),
        counter,
      );
    }
    assert.equal(registry.states()[0]?.counters.forwarded, 5);
    // Equal counts (an idle NApp) and a queue that shrinks are fine.
    registry.record('k', 'run-1', { ...last, queueDepth: 0 });
    registry.record('k', 'run-1', {
      ...last,
      forwarded: 6,
      droppedByCause: { queue_full: 1, shutdown: 2 },
    });
    assert.equal(registry.states()[0]?.counters.forwarded, 6);
  });

  it('adds a restarted NApp’s new run to its earlier runs: the counters never go down', () => {
    const registry = new ForwarderRegistry({ silentAfterMs: 1000, maxForwarders: 4 }, () => 0);
    registry.record('k', 'run-1', {
      forwarded: 100,
      droppedByCause: { queue_full: 3, too_large: 1 },
      queueDepth: 40,
      loopSeconds: 2,
      eventsSeen: 150,
    });
    registry.record('k', 'run-2', {
      forwarded: 7,
      droppedByCause: { too_large: 2, rejected: 1 },
      queueDepth: 1,
      loopSeconds: 0.5,
      filteredLocally: 4,
    });
    assert.deepEqual(registry.states()[0]?.counters, {
      forwarded: 107,
      droppedByCause: { queue_full: 3, too_large: 3, rejected: 1 },
      queueDepth: 1,
      loopSeconds: 2.5,
      eventsSeen: 150,
      filteredLocally: 4,
    });
    // The new run goes on from its own counts, not from the sum.
    registry.record('k', 'run-2', {
      forwarded: 8,
      droppedByCause: { too_large: 2, rejected: 1 },
      queueDepth: 0,
      loopSeconds: 0.6,
      filteredLocally: 4,
    });
    assert.equal(registry.states()[0]?.counters.forwarded, 108);
    assert.equal(registry.states()[0]?.counters.queueDepth, 0);
  });

  it('refuses a report of a run a newer one replaced (two NApps under one id), the sum unchanged', () => {
    const registry = new ForwarderRegistry({ silentAfterMs: 1000, maxForwarders: 4 }, () => 0);
    registry.record('twin', 'run-a', { ...COUNTERS, forwarded: 1000 });
    registry.record('twin', 'run-b', { ...COUNTERS, forwarded: 1000 });
    assert.throws(
      () => registry.record('twin', 'run-a', { ...COUNTERS, forwarded: 1001 }),
      RunSupersededError,
    );
    assert.equal(registry.states()[0]?.counters.forwarded, 2000);
  });

  it('forgets a forwarder at its final report, and only for its current run', () => {
    const registry = new ForwarderRegistry({ silentAfterMs: 1000, maxForwarders: 4 }, () => 0);
    registry.record('k', 'run-1', COUNTERS);
    registry.record('k', 'run-2', COUNTERS);
    registry.forget('k', 'run-1');
    assert.deepEqual(
      registry.states().map((state) => state.id),
      ['k'],
    );
    registry.forget('k', 'run-2');
    assert.deepEqual(registry.states(), []);
  });
});
