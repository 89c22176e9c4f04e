import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { KafkaBroker } from '../test/support/kafka-broker.js';
import { metricSample } from '../test/support/metric-sample.js';
import { cpuSeconds } from '../test/support/process-usage.js';
import { repoRoot } from '../test/support/repo-root.js';
import { spawnService, type ServiceProcess } from '../test/support/service-process.js';
import { load } from './delivery.bench.js';

// `npm run bench:compare -- <revision>`: the webhook's throughput of this tree against another
// revision's (the landed code, before a change), on one machine and one broker. Both services run
// at once, each with its own topic and spool; short loads alternate between them in ABBA order, so
// a slow spell of the disk or the CPU meets both, and a pair's ratio is this tree's events/s over
// the base's. Before each load both have sent their backlog to Kafka (no load shares the machine
// with forwarding), and each service first runs warm at the heaviest row (its throughput still
// rises for a while after it starts). Numbers, never pass/fail.

const MODES = (process.env.BENCH_MODES ?? 'spool,kafka').split(',');
/** Connections, or connections x events per request. */
const ROWS = (process.env.BENCH_ROWS ?? '1,16,64,16x100').split(',');
const PAIRS = Number(process.env.BENCH_PAIRS ?? 6);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 4);
const WARM_SECONDS = Number(process.env.BENCH_WARM_SECONDS ?? 40);
/** More settings for both services, as JSON: {"EVENT_SCHEMA_VALIDATION":"enforce"}. */
const SERVICE_ENV = JSON.parse(process.env.BENCH_SERVICE_ENV ?? '{}') as Record<string, string>;
const DRAIN_TIMEOUT_MS = 120_000;

const SIDES = ['base', 'this'] as const;
type Side = (typeof SIDES)[number];

/** A worktree of `revision` under .cache, built, with this tree's packages when the lock matches. */
function checkout(revision: string): string {
  const git = (...args: string[]) =>
    execFileSync('git', args, { cwd: repoRoot, encoding: 'utf8' }).trim();
  const commit = git('rev-parse', '--verify', `${revision}^{commit}`);
  const tree = join(repoRoot, '.cache', 'bench-base', commit);
  if (!existsSync(tree)) {
    mkdirSync(join(repoRoot, '.cache', 'bench-base'), { recursive: true });
    git('worktree', 'add', '--detach', tree, commit);
  }
  if (!existsSync(join(tree, 'node_modules'))) {
    const sameLock = git('diff', '--name-only', commit, '--', 'package-lock.json') === '';
    if (sameLock) symlinkSync(join(repoRoot, 'node_modules'), join(tree, 'node_modules'));
    else execFileSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: tree, stdio: 'inherit' });
  }
  execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: tree, stdio: 'inherit' });
  return tree;
}

async function metrics(service: ServiceProcess): Promise<string> {
  return (await fetch(`${service.managementUrl}/metrics`)).text();
}

/** Until every event the service took is in Kafka (spool mode forwards after answering). */
async function drained(service: ServiceProcess): Promise<void> {
  const deadline = Date.now() + DRAIN_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const text = await metrics(service);
    const published = metricSample(text, 'kafka_events_published_total') ?? 0;
    if (published >= (metricSample(text, 'kafka_events_permitted_total') ?? 0)) return;
    await sleep(50);
  }
  throw new Error(`not drained in ${DRAIN_TIMEOUT_MS} ms`);
}

interface Sample {
  eventsPerSecond: number;
  cpuMicrosPerEvent: number;
}

async function measure(service: ServiceProcess, row: string): Promise<Sample> {
  const [connections, perRequest = 1] = row.split('x').map(Number);
  const pid = service.child.pid ?? 0;
  const cpuBefore = cpuSeconds(pid);
  const result = await load(service, { connections, perRequest, seconds: SECONDS });
  const events = result['2xx'] * perRequest;
  return {
    eventsPerSecond: events / result.duration,
    cpuMicrosPerEvent: ((cpuSeconds(pid) - cpuBefore) * 1e6) / Math.max(events, 1),
  };
}

const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;
const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1];
const geometricMean = (values: number[]) => Math.exp(mean(values.map((value) => Math.log(value))));
const spread = (values: number[], digits = 0) =>
  `${mean(values).toFixed(digits)} (${Math.min(...values).toFixed(digits)}-${Math.max(...values).toFixed(digits)})`;

async function compareMode(
  broker: KafkaBroker,
  trees: Record<Side, string>,
  mode: string,
): Promise<string[]> {
  const services = {} as Record<Side, ServiceProcess>;
  try {
    for (const side of SIDES) {
      services[side] = await spawnService(
        {
          KAFKA_BROKERS: broker.brokers,
          KAFKA_TOPIC: `compare_${mode}_${side}`,
          DELIVERY_MODE: mode,
          SPOOL_DIR: mkdtempSync(join(tmpdir(), `compare-${side}-`)),
          RATE_LIMIT_PER_SECOND: '0',
          ...SERVICE_ENV,
        },
        [],
        trees[side],
      );
    }
    const heaviest = Math.max(...ROWS.map((row) => Number(row.split('x')[0])));
    for (const side of SIDES) {
      await load(services[side], { connections: heaviest, perRequest: 1, seconds: WARM_SECONDS });
    }
    const samples = new Map<string, Record<Side, Sample[]>>();
    for (let pair = 0; pair < PAIRS; pair++) {
      for (const row of ROWS) {
        const order: readonly Side[] = pair % 2 === 0 ? SIDES : [...SIDES].reverse();
        const taken = samples.get(row) ?? { base: [], this: [] };
        samples.set(row, taken);
        for (const side of order) {
          for (const each of SIDES) await drained(services[each]);
          taken[side].push(await measure(services[side], row));
        }
        const [base, ours] = [taken.base.at(-1), taken.this.at(-1)];
        console.error(
          `${mode} ${row} pair ${pair + 1}: base ${base?.eventsPerSecond.toFixed(0)}, this ${ours?.eventsPerSecond.toFixed(0)} events/s`,
        );
      }
    }
    return [...samples].map(([row, taken]) => {
      const rate = (side: Side) => taken[side].map((sample) => sample.eventsPerSecond);
      const cpu = (side: Side) => median(taken[side].map((sample) => sample.cpuMicrosPerEvent));
      const ratios = taken.this.map((sample, i) => sample.eventsPerSecond / rate('base')[i]);
      const [connections, perRequest = '1'] = row.split('x');
      return `| ${mode}, ${perRequest} event${perRequest === '1' ? '' : 's'}/request, ${connections} connections | ${PAIRS} | ${spread(rate('base'))} | ${spread(rate('this'))} | ${geometricMean(ratios).toFixed(2)} (${Math.min(...ratios).toFixed(2)}-${Math.max(...ratios).toFixed(2)}) | ${cpu('base').toFixed(0)} / ${cpu('this').toFixed(0)} |`;
    });
  } finally {
    for (const side of SIDES) services[side]?.child.kill('SIGKILL');
  }
}

const revision = process.argv[2];
if (!revision) {
  console.error('usage: npm run bench:compare -- <revision> (the code to compare this tree with)');
  process.exit(2);
}
const trees: Record<Side, string> = { base: checkout(revision), this: repoRoot };
const broker = await KafkaBroker.start();
try {
  const lines = [];
  for (const mode of MODES) lines.push(...(await compareMode(broker, trees, mode)));
  console.log(
    `Webhook events/s, ${revision} (base) against this tree, ${PAIRS} pairs of ${SECONDS} s loads per row: mean (min-max); ratio this/base, geometric mean of the pairs (min-max); CPU µs per event, medians.\n`,
  );
  console.log(
    '| row | pairs | base events/s | this events/s | this/base | CPU µs/event base / this |',
  );
  console.log('| --- | ---: | ---: | ---: | ---: | ---: |');
  for (const line of lines) console.log(line);
} finally {
  await broker.stop();
}
