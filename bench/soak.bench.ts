import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { KafkaBroker } from '../test/support/kafka-broker.js';
import { metricSample } from '../test/support/metric-sample.js';
import { cpuSeconds, rssMiB } from '../test/support/process-usage.js';
import { spawnService } from '../test/support/service-process.js';
import { load } from './delivery.bench.js';

const IDLE_SECONDS = Number(process.env.BENCH_IDLE_SECONDS ?? 600);
const STEADY_SECONDS = Number(process.env.BENCH_SOAK_SECONDS ?? 600);
const RATE = Number(process.env.BENCH_SOAK_RATE ?? 500);

export interface SoakPhase {
  phase: string;
  seconds: number;
  /** Peak RSS (MiB) in the first and in the last sixth of the phase, and over all of it. */
  firstMiB: number;
  lastMiB: number;
  peakMiB: number;
  /** V8's heap in use (MiB, from /metrics), lowest in the first and in the last sixth: what is kept alive. */
  heapFirstMiB: number;
  heapLastMiB: number;
  /** The service's CPU time over the phase, in percent of one core. */
  cpuPercent: number;
  requests?: number;
}

async function heapUsedMiB(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return (metricSample(text, 'nodejs_heap_size_used_bytes') ?? NaN) / 1024 / 1024;
}

/**
 * RSS every second and the heap in use every five while `work` runs; the first and last sixth
 * show a trend, if any. The heap's lowest point (just after a collection) is what stays alive.
 */
async function sampled(pid: number, url: string, seconds: number, work: Promise<unknown>) {
  const rss: number[] = [];
  const heap: number[] = [];
  let tick = 0;
  const cpuBefore = cpuSeconds(pid);
  const startedAt = performance.now();
  const timer = setInterval(() => {
    rss.push(rssMiB(pid));
    if (tick++ % 5 === 0) void heapUsedMiB(url).then((used) => heap.push(used));
  }, 1000);
  try {
    await work;
  } finally {
    clearInterval(timer);
  }
  const cpuPercent =
    (100 * (cpuSeconds(pid) - cpuBefore)) / ((performance.now() - startedAt) / 1000);
  const sixth = (samples: number[]) => Math.max(1, Math.floor(samples.length / 6));
  return {
    seconds,
    firstMiB: Math.max(...rss.slice(0, sixth(rss))),
    lastMiB: Math.max(...rss.slice(-sixth(rss))),
    peakMiB: Math.max(...rss),
    heapFirstMiB: Math.min(...heap.slice(0, sixth(heap))),
    heapLastMiB: Math.min(...heap.slice(-sixth(heap))),
    cpuPercent,
  };
}

/**
 * Memory over time, in `kafka` mode: an idle service (its background checks, the rule store
 * following its topic) and a service under a steady load, each for BENCH_IDLE_SECONDS and
 * BENCH_SOAK_SECONDS (10 minutes by default). A leak shows as a last sixth above the first.
 */
export async function soakRss(): Promise<SoakPhase[]> {
  const broker = await KafkaBroker.start();
  const spoolDir = mkdtempSync(join(tmpdir(), 'bench-soak-'));
  try {
    const service = await spawnService({
      KAFKA_BROKERS: broker.brokers,
      KAFKA_TOPIC: 'bench_soak',
      SPOOL_DIR: spoolDir,
    });
    const pid = service.child.pid ?? 0;
    try {
      await load(service, { connections: 8, perRequest: 1, seconds: 2 });
      const idle = await sampled(pid, service.url, IDLE_SECONDS, sleep(IDLE_SECONDS * 1000));
      let requests = 0;
      const steady = await sampled(
        pid,
        service.url,
        STEADY_SECONDS,
        load(service, { connections: 64, perRequest: 1, seconds: STEADY_SECONDS, rate: RATE }).then(
          (result) => (requests = result['2xx']),
        ),
      );
      return [
        { phase: 'idle', ...idle },
        { phase: `steady, ${RATE} single-event requests/s`, ...steady, requests },
      ];
    } finally {
      service.child.kill('SIGTERM');
      await new Promise((resolve) => service.child.once('exit', resolve));
    }
  } finally {
    rmSync(spoolDir, { recursive: true, force: true });
    await broker.stop();
  }
}
