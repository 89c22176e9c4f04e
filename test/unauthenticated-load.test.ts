import assert from 'node:assert/strict';
import { once } from 'node:events';
import { type ClientRequest, request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { randomBytes, randomUUID } from 'node:crypto';
import { signWebhook } from '../src/auth/webhook-signature.js';
import { chaosSeconds, reportBound, reportFigure } from './support/chaos-report.js';
import { KafkaBroker } from './support/kafka-broker.js';
import { percentile } from './support/percentile.js';
import { cpuSeconds, rssMiB } from './support/process-usage.js';
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

const MiB = 1024 * 1024;
/** AUTH_UNVERIFIED_BYTES_MAX's default, the one the docs state the memory bound for. */
const BUDGET_MIB = 64;
/**
 * What the docs promise the service grows by while the budget is full: the bodies it holds, plus
 * the ones it refused or cut and has not collected yet.
 */
const RSS_BOUND_MIB = 3 * BUDGET_MIB;
const BODY_TIMEOUT_MS = 12_000;

interface Upload {
  /** The status, or the error code when the connection ended unanswered, or 'none' at the test's own limit. */
  outcome: string;
  /** Milliseconds from the request's start to its answer. */
  answeredAfterMs: number;
}

/**
 * A 16 MiB upload with a made-up signature from `localAddress`, trickled 256 KiB every 50 ms up
 * to its last byte, which it never sends: only an answer, or `giveUpMs`, ends it.
 */
function heldUpload(url: string, localAddress: string, giveUpMs: number): Promise<Upload> {
  const declared = 16 * MiB;
  const piece = Buffer.alloc(256 * 1024, 0x20);
  const started = performance.now();
  return new Promise((resolve) => {
    let sent = 0;
    let settled = false;
    let req: ClientRequest | undefined = undefined;
    const settle = (outcome: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(giveUp);
      resolve({
        outcome,
        answeredAfterMs: performance.now() - started,
      });
      req?.destroy();
    };
    const giveUp = setTimeout(() => settle('none'), giveUpMs);
    req = request(`${url}${EVENTS_PATH}`, {
      method: 'POST',
      localAddress,
      agent: false,
      headers: {
        'content-type': 'application/json',
        'content-length': declared,
        'x-kytos-timestamp': String(Math.floor(Date.now() / 1000)),
        'x-kytos-signature': `sha256=${randomBytes(32).toString('hex')}`,
      },
    });
    req.on('response', (response) => {
      response.resume();
      settle(String(response.statusCode));
    });
    req.on('error', (error: NodeJS.ErrnoException) => settle(error.code ?? error.message));
    const trickle = () => {
      if (settled || !req) return;
      const length = Math.min(piece.length, declared - 1 - sent);
      if (length <= 0) return;
      sent += length;
      req.write(piece.subarray(0, length));
      setTimeout(trickle, 50);
    };
    trickle();
  });
}

/** A correctly signed single event from `localAddress`: its status. */
function signedFrom(url: string, localAddress: string): Promise<number> {
  const body = Buffer.from(
    JSON.stringify({ name: 'kytos/topology.link_up', id: randomUUID(), content: {} }),
  );
  const timestamp = String(Math.floor(Date.now() / 1000));
  return new Promise((resolve) => {
    const req = request(`${url}${EVENTS_PATH}`, {
      method: 'POST',
      localAddress,
      agent: false,
      headers: {
        'content-type': 'application/json',
        'x-kytos-timestamp': timestamp,
        'x-kytos-signature': signWebhook(secret, timestamp, body),
      },
    });
    req.on('response', (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode ?? 0));
    });
    req.on('error', () => resolve(0));
    req.end(body);
  });
}

describe('unauthenticated uploads held open (#33)', () => {
  let budgeted: ServiceProcess;
  before(async () => {
    budgeted = await spawnService({
      KAFKA_BROKERS: broker.brokers,
      KAFKA_TOPIC: 'unauthenticated_uploads',
      FILTER_STORE: 'memory',
      AUTH_DISABLED: 'false',
      AUTH_WEBHOOK_SECRET: secret,
      RATE_LIMIT_PER_SECOND: '0',
      INGEST_BODY_TIMEOUT_MS: String(BODY_TIMEOUT_MS),
    });
  });
  after(async () => {
    budgeted?.child.kill('SIGTERM');
    if (budgeted) await once(budgeted.child, 'exit');
  });

  it('32 uploads with made-up signatures from 8 addresses: memory bounded, 503 at once past the budget, the signed still served, the slow cut at the deadline', async () => {
    const { url } = budgeted;
    const pid = budgeted.child.pid ?? 0;
    for (let i = 0; i < 5; i++) assert.equal(await signedFrom(url, '127.0.0.2'), 200);
    const baseline = rssMiB(pid);
    let peak = baseline;
    const sampler = setInterval(() => (peak = Math.max(peak, rssMiB(pid))), 50);
    const giveUpMs = BODY_TIMEOUT_MS + 20_000;
    const attackers = Array.from({ length: 32 }, (_, i) =>
      heldUpload(url, `127.0.0.${11 + (i % 8)}`, giveUpMs),
    );
    // Once every upload has had time to send its 16 MiB, the budget is full and stays so.
    await new Promise((resolve) => setTimeout(resolve, 6000));
    const innocent = await Promise.all([
      signedFrom(url, '127.0.0.2'),
      signedFrom(url, '127.0.0.3'),
    ]);
    // One more client: its uploads together hold at most one INGEST_MAX_BODY_BYTES.
    const late = await Promise.all(
      Array.from({ length: 8 }, () => heldUpload(url, '127.0.0.30', giveUpMs)),
    );
    const uploads = await Promise.all(attackers);
    clearInterval(sampler);
    const growth = peak - baseline;
    const outcomes: Record<string, number> = {};
    for (const upload of [...uploads, ...late])
      outcomes[upload.outcome] = (outcomes[upload.outcome] ?? 0) + 1;
    const refused = [...uploads, ...late].filter((upload) => upload.outcome === '503');
    const cut = uploads.filter((upload) => upload.outcome === '408');
    const slowest503 = Math.max(...refused.map((upload) => upload.answeredAfterMs));
    const lateRefused = late.filter((upload) => upload.outcome === '503');
    const lateWorst = Math.max(...lateRefused.map((upload) => upload.answeredAfterMs));
    const measured =
      `RSS +${growth.toFixed(0)} MiB (${baseline.toFixed(0)} to ${peak.toFixed(0)}); ` +
      `answers ${JSON.stringify(outcomes)}; ${lateRefused.length} of 8 uploads of one more client answered 503 within ${lateWorst.toFixed(0)} ms; ` +
      `the held cut at ${cut.map((upload) => (upload.answeredAfterMs / 1000).toFixed(1)).join(', ')} s; ` +
      `signed events from 2 other addresses meanwhile: ${innocent.join(', ')}`;
    reportBound({
      attack: '32 unauthenticated 16 MiB uploads (made-up signatures) from 8 addresses, held open',
      bound: `memory growth at most ${RSS_BOUND_MIB} MiB (${BUDGET_MIB} MiB of bodies held); 503 past it; cut at INGEST_BODY_TIMEOUT_MS`,
      measured,
    });
    process.stdout.write(`# ${measured}\n`);
    assert.deepEqual(
      innocent,
      [200, 200],
      `signed events from other clients are served: ${measured}`,
    );
    assert.ok(growth < RSS_BOUND_MIB, measured);
    assert.ok(refused.length >= 24, `most uploads are refused past the budget: ${measured}`);
    assert.ok(
      slowest503 < BODY_TIMEOUT_MS - 1000,
      `each 503 comes as its bytes are refused or taken back, not at the deadline: ${measured}`,
    );
    assert.ok(
      lateRefused.length >= 6 && lateWorst < 5000,
      `one client's uploads past its share are refused at once: ${measured}`,
    );
    assert.ok(cut.length > 0, `some uploads were held until the deadline: ${measured}`);
    assert.ok(
      cut.every(
        (upload) =>
          upload.answeredAfterMs > BODY_TIMEOUT_MS - 500 &&
          upload.answeredAfterMs < BODY_TIMEOUT_MS + 10_000,
      ),
      `the held are cut at INGEST_BODY_TIMEOUT_MS: ${measured}`,
    );
    assert.deepEqual(
      Object.keys(outcomes).filter((outcome) => outcome !== '503' && outcome !== '408'),
      [],
      `every upload is answered 503 or 408: ${measured}`,
    );
  });
});
