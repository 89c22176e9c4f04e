import { Agent, request } from 'node:http';
import { percentile } from '../test/support/percentile.js';

export interface PacedResult {
  /** Requests answered 2xx per second of the run. */
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** Answers other than 2xx, connection errors and timeouts, the warm-up's included. */
  errors: number;
}

const TIMEOUT_MS = 10_000;

/**
 * Open-loop load at a steady rate: request n is due at start + n / rate, over a pool of kept-alive
 * connections, and its latency counts from when it was due, so a stall of the service shows in
 * the latencies of every request that should have gone meanwhile (no coordinated omission).
 *
 * The first `warmupSeconds` go at the same pace and are not counted: a service that was idle
 * answered the first second of a load step slowly here (right after another run, the same step
 * cost nothing), and the row is about the steady rate.
 *
 * Why not autocannon's `overallRate`: it gives each connection a quota per second and resets it
 * every 1,000 ms (autocannon/lib/httpClient.js), so the connections send flat out until the
 * quota is spent and then wait for the next second: "half of peak" was the peak's concurrency for
 * part of each second, and its p99 that of the peak.
 */
export async function pacedLoad(options: {
  url: string;
  body: string;
  rate: number;
  seconds: number;
  warmupSeconds: number;
  connections: number;
}): Promise<PacedResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: options.connections, noDelay: true });
  const length = String(Buffer.byteLength(options.body));
  const warmup = Math.round(options.rate * options.warmupSeconds);
  const total = warmup + Math.round(options.rate * options.seconds);
  const latencies: number[] = [];
  const answers: Promise<void>[] = [];
  let errors = 0;
  const post = (dueAt: number, counted: boolean) =>
    new Promise<void>((resolve) => {
      let answered = false;
      // Once per request: a socket error may still come after the answer ended.
      const done = (ok: boolean) => {
        if (answered) return;
        answered = true;
        if (!ok) errors++;
        else if (counted) latencies.push(performance.now() - dueAt);
        resolve();
      };
      const call = request(
        options.url,
        {
          method: 'POST',
          agent,
          headers: { 'content-type': 'application/json', 'content-length': length },
          timeout: TIMEOUT_MS,
        },
        (response) => {
          response.resume();
          response.once('end', () => done((response.statusCode ?? 0) < 300));
          response.once('error', () => done(false));
        },
      );
      call.once('timeout', () => call.destroy());
      call.once('error', () => done(false));
      call.end(options.body);
    });
  // Every connection opened first: connecting is not what the run measures.
  await Promise.all(
    Array.from({ length: options.connections }, () => post(performance.now(), false)),
  );
  errors = 0;
  let sent = 0;
  const started = performance.now();
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      // Request n is due at n / rate: at time t, those up to t * rate are.
      const due = Math.min(
        total,
        Math.floor(((performance.now() - started) / 1000) * options.rate) + 1,
      );
      for (; sent < due; sent++) {
        answers.push(post(started + (sent * 1000) / options.rate, sent >= warmup));
      }
      if (sent >= total) {
        clearInterval(timer);
        resolve();
      }
    }, 1);
  });
  await Promise.all(answers);
  const seconds = (performance.now() - started) / 1000 - options.warmupSeconds;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  return {
    perSecond: latencies.length / seconds,
    p50Ms: percentile(latencies, 0.5),
    p99Ms: percentile(latencies, 0.99),
    errors,
  };
}
