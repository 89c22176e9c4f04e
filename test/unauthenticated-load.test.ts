import assert from 'node:assert/strict';
import { once } from 'node:events';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { randomUUID } from 'node:crypto';
import { signWebhook } from '../src/auth/webhook-signature.js';
import { chaosSeconds, reportFigure } from './support/chaos-report.js';
import { KafkaBroker } from './support/kafka-broker.js';
import { percentile } from './support/percentile.js';
import { cpuSeconds } from './support/process-usage.js';
import { EVENTS_PATH } from './support/service.js';
import { spawnService, ServiceProcess } from './support/service-process.js';

const secret = 'a-webhook-secret-for-the-load-test';
const bomb = gzipSync(Buffer.alloc(10 * 1024 * 1024, 0x20));

let broker: KafkaBroker;
let service: ServiceProcess;
before(async () => {
  broker = await KafkaBroker.start();
  service = await spawnService({
    KAFKA_BROKERS: broker.brokers,
    KAFKA_TOPIC: 'unauthenticated_load',
    FILTER_STORE: 'memory',
    AUTH_DISABLED: 'false',
    AUTH_WEBHOOK_SECRET: secret,
    RATE_LIMIT_PER_SECOND: '0',
  });
});
after(async () => {
  service?.child.kill('SIGTERM');
  if (service) await once(service.child, 'exit');
  await broker?.stop();
});

/** One POST, resolved with its status; the body is sent whole, the answer read whole. */
function post(body: Buffer, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve) => {
    const req = request(`${service.url}${EVENTS_PATH}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      agent: false,
    });
    req.on('response', (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode ?? 0));
    });
    req.on('error', () => resolve(0));
    req.end(body);
  });
}

/** Signed single events from 4 senders for `ms`: each request's latency. */
async function signedTraffic(ms: number): Promise<number[]> {
  const latencies: number[] = [];
  const deadline = Date.now() + ms;
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      while (Date.now() < deadline) {
        const body = Buffer.from(
          JSON.stringify({ name: 'kytos/topology.link_up', id: randomUUID(), content: {} }),
        );
        const timestamp = String(Math.floor(Date.now() / 1000));
        const started = performance.now();
        const status = await post(body, {
          'x-kytos-timestamp': timestamp,
          'x-kytos-signature': signWebhook(secret, timestamp, body),
        });
        latencies.push(performance.now() - started);
        assert.equal(status, 200);
      }
    }),
  );
  return latencies.sort((a, b) => a - b);
}

const p99 = (sorted: number[]) => percentile(sorted, 0.99);

/** CPU milliseconds the service process has used (user + system). */
function serviceCpuMs(): number {
  return cpuSeconds(service.child.pid ?? 0) * 1000;
}

describe('unauthenticated requests under load', () => {
  it('measures the p99 of signed traffic with and without 200 concurrent unauthenticated bombs', async (t) => {
    const seconds = chaosSeconds(4);
    await signedTraffic(1000);
    const quietStart = serviceCpuMs();
    const quiet = await signedTraffic(seconds * 1000);
    const quietCpuMs = serviceCpuMs() - quietStart;
    const stop = Date.now() + seconds * 1000 + 500;
    let refused = 0;
    const cpuBefore = serviceCpuMs();
    const shapes: Record<string, string>[] = [
      { 'content-encoding': 'gzip' },
      { 'content-encoding': 'gzip', authorization: 'Bearer not-the-token' },
      {
        'content-encoding': 'gzip',
        'x-kytos-timestamp': String(Math.floor(Date.now() / 1000)),
        'x-kytos-signature': `sha256=${'0'.repeat(64)}`,
      },
    ];
    const bombers = Array.from({ length: 200 }, async (_, i) => {
      while (Date.now() < stop) {
        const status = await post(bomb, shapes[i % shapes.length] ?? {});
        assert.equal(status, 401);
        refused++;
      }
    });
    const attacked = await signedTraffic(seconds * 1000);
    await Promise.all(bombers);
    const cpuMs = serviceCpuMs() - cpuBefore;
    const ratio = p99(attacked) / p99(quiet);
    const figure =
      `signed single events, 4 senders: p99 ${p99(quiet).toFixed(1)} ms alone, ` +
      `${p99(attacked).toFixed(1)} ms beside 200 senders of unauthenticated 10 KB gzip bombs ` +
      `(${refused} refused with 401 in ${seconds} s): ${ratio.toFixed(2)}x; ` +
      `service CPU ${(quietCpuMs / 1000).toFixed(2)} s alone, ${(cpuMs / 1000).toFixed(2)} s beside the bombers, ` +
      `for ${quiet.length} and ${attacked.length} signed requests`;
    t.diagnostic(figure);
    reportFigure(figure);
    assert.ok(refused > 0 && quiet.length > 0 && attacked.length > 0);
  });
});
