import { execFileSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KafkaBroker } from '../test/support/kafka-broker.js';
import { cpuSeconds } from '../test/support/process-usage.js';
import { repoRoot } from '../test/support/repo-root.js';
import { spawnService, type ServiceProcess } from '../test/support/service-process.js';
import { load, waitUntilForwarded } from './delivery.bench.js';

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
if (!Number.isInteger(PAIRS) || PAIRS < 2 || PAIRS % 2) {
  // ABBA: each side goes first as often as the other.
  throw new Error(`BENCH_PAIRS must be an even number of at least 2 (got ${PAIRS})`);
}
const SECONDS = Number(process.env.BENCH_SECONDS ?? 4);
const WARM_SECONDS = Number(process.env.BENCH_WARM_SECONDS ?? 40);
/** More settings for both services, as JSON: {"EVENT_SCHEMA_VALIDATION":"enforce"}. */
const SERVICE_ENV = JSON.parse(process.env.BENCH_SERVICE_ENV ?? '{}') as Record<string, string>;

const SIDES = ['base', 'this'] as const;
type Side = (typeof SIDES)[number];

/**
 * A worktree of `revision` under .cache, built; it runs on this tree's packages while the two
 * lock files match, on its own otherwise (checked on every run: this tree's lock may change).
 */
function checkout(revision: string): string {
  const git = (...args: string[]) =>
    execFileSync('git', args, { cwd: repoRoot, encoding: 'utf8' }).trim();
  const commit = git('rev-parse', '--verify', `${revision}^{commit}`);
  const tree = join(repoRoot, '.cache', 'bench-base', commit);
  if (!existsSync(join(tree, '.git'))) {
    // A worktree whose folder was deleted (.cache cleaned) is still registered until pruned.
    git('worktree', 'prune');
    mkdirSync(join(repoRoot, '.cache', 'bench-base'), { recursive: true });
    git('worktree', 'add', '--force', '--detach', tree, commit);
  }
  const modules = join(tree, 'node_modules');
  const sameLock = git('diff', '--name-only', commit, '--', 'package-lock.json') === '';
  const linked = existsSync(modules) && lstatSync(modules).isSymbolicLink();
  if (linked && !sameLock) rmSync(modules);
  if (!existsSync(modules)) {
    if (sameLock) symlinkSync(join(repoRoot, 'node_modules'), modules);
    else execFileSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: tree, stdio: 'inherit' });
  }
  execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: tree, stdio: 'inherit' });
  return tree;
}

interface Sample {
  eventsPerSecond: number;
  cpuMicrosPerEvent: number;
  /** Answers other than 2xx, connection errors and timeouts: a fast failure is not throughput. */
  failed: number;
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
    failed: result.non2xx + result.errors + result.timeouts,
  };
}

const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;
const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};
const geometricMean = (values: number[]) => Math.exp(mean(values.map((value) => Math.log(value))));
const spread = (values: number[], digits = 0) =>
  `${mean(values).toFixed(digits)} (${Math.min(...values).toFixed(digits)}-${Math.max(...values).toFixed(digits)})`;

async function compareMode(
  broker: KafkaBroker,
  trees: Record<Side, string>,
  mode: string,
): Promise<string[]> {
  const services = {} as Record<Side, ServiceProcess>;
  const spools: string[] = [];
  try {
    for (const side of SIDES) {
      const spool = mkdtempSync(join(tmpdir(), `compare-${side}-`));
      spools.push(spool);
      services[side] = await spawnService(
        {
          KAFKA_BROKERS: broker.brokers,
          KAFKA_TOPIC: `compare_${mode}_${side}`,
          DELIVERY_MODE: mode,
          SPOOL_DIR: spool,
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
          for (const each of SIDES) await waitUntilForwarded(services[each].managementUrl);
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
      const failed = (side: Side) => taken[side].reduce((sum, sample) => sum + sample.failed, 0);
      const ratios = taken.this.map((sample, i) => sample.eventsPerSecond / rate('base')[i]);
      const [connections, perRequest = '1'] = row.split('x');
      return `| ${mode}, ${perRequest} event${perRequest === '1' ? '' : 's'}/request, ${connections} connections | ${PAIRS} | ${spread(rate('base'))} | ${spread(rate('this'))} | ${geometricMean(ratios).toFixed(2)} (${Math.min(...ratios).toFixed(2)}-${Math.max(...ratios).toFixed(2)}) | ${cpu('base').toFixed(0)} / ${cpu('this').toFixed(0)} | ${failed('base')} / ${failed('this')} |`;
    });
  } finally {
    for (const side of SIDES) services[side]?.child.kill('SIGKILL');
    for (const spool of spools) rmSync(spool, { recursive: true, force: true });
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
    `Webhook events/s, ${revision} (base) against this tree, both on Node ${process.versions.node}, ${PAIRS} pairs of ${SECONDS} s loads per row: mean (min-max); ratio this/base, geometric mean of the pairs (min-max); CPU µs per event, medians; answers that were not 2xx.\n`,
  );
  console.log(
    '| row | pairs | base events/s | this events/s | this/base | CPU µs/event base / this | failed base / this |',
  );
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const line of lines) console.log(line);
} finally {
  await broker.stop();
}
