import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Admin, Kafka } from 'kafkajs';
import { EventMetrics } from '../metrics/index.js';
import { KafkaConnectivity } from './kafka-connectivity.js';
import type { KafkaClients } from './kafka-clients.js';
import type { KafkaSettings } from './kafka.settings.js';

/** Blocks the event loop, as a long synchronous piece of work does. */
function block(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until);
}

function connectivityWith(describeCluster: () => Promise<unknown>): KafkaConnectivity {
  const admin = {
    connect: () => Promise.resolve(),
    describeCluster,
    disconnect: () => Promise.resolve(),
  } as unknown as Admin;
  const clients = { create: () => ({ admin: () => admin }) as unknown as Kafka };
  const settings = {
    connectionTimeoutMs: 100,
    requestTimeoutMs: 100,
    checkIntervalMs: 60_000,
  } as KafkaSettings;
  return new KafkaConnectivity(settings, clients as unknown as KafkaClients, new EventMetrics());
}

describe('KafkaConnectivity', () => {
  it('does not call Kafka unreachable when the event loop, not Kafka, held the answer back', async () => {
    // Kafka answers at once, but the loop is busy for longer than the timeout before it reads
    // the answer: the timers that fell due meanwhile run first, as they do before a socket's data.
    const connectivity = connectivityWith(
      () =>
        new Promise((resolve) =>
          setImmediate(() => {
            block(1000);
            setImmediate(resolve);
          }),
        ),
    );
    connectivity.onModuleInit();
    for (let waited = 0; connectivity.state.status === 'unknown' && waited < 5000; waited += 20) {
      await sleep(20);
    }
    assert.equal(connectivity.state.status, 'up', connectivity.state.reason);
    await connectivity.onApplicationShutdown();
  });

  it('still calls Kafka unreachable when it does not answer within the timeout', async () => {
    const connectivity = connectivityWith(() => new Promise(() => undefined));
    connectivity.onModuleInit();
    for (let waited = 0; connectivity.state.status === 'unknown' && waited < 5000; waited += 20) {
      await sleep(20);
    }
    assert.equal(connectivity.state.status, 'down');
    assert.match(connectivity.state.reason ?? '', /no answer from Kafka within 200 ms/);
    await connectivity.onApplicationShutdown();
  });
});
