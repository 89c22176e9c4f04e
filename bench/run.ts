import { BenchReport } from './bench-report.js';
import { benchClient } from './client.bench.js';
import { benchDecisions } from './decision.bench.js';
import { benchDelivery, Row } from './delivery.bench.js';
import { benchGzip } from './gzip.bench.js';
import { profileService } from './profile.bench.js';
import { benchSchemas } from './schema.bench.js';
import { soakRss } from './soak.bench.js';

// `npm run bench`: every figure of one run on one machine, against one local broker, so the
// ratios compare like with like even when the machine is noisy. Numbers, never pass/fail.

const SECTIONS = ['decisions', 'schemas', 'client', 'gzip', 'delivery', 'soak'] as const;
const only = process.env.BENCH_ONLY;
const report = new BenchReport();

function cell(value: number | undefined, digits = 0): string {
  return value === undefined || Number.isNaN(value) ? '' : value.toFixed(digits);
}

function markdown(header: string[], aligns: string[], rows: string[][]): string {
  return [header, aligns, ...rows].map((row) => `| ${row.join(' | ')} |`).join('\n');
}

function deliveryTable(rows: Row[], ceiling: number): string {
  return markdown(
    ['path', 'events/s', 'vs raw kafkajs', 'p50 ms', 'p99 ms', 'peak RSS MiB', 'non-2xx/errors'],
    ['---', '---:', '---:', '---:', '---:', '---:', '---:'],
    rows.map((row) => [
      row.path,
      cell(row.eventsPerSecond),
      `${cell(row.eventsPerSecond / ceiling, 2)}x`,
      cell(row.p50Ms, 1),
      cell(row.p99Ms, 1),
      cell(row.peakRssMiB),
      String(row.errors ?? ''),
    ]),
  );
}

async function soak(): Promise<void> {
  const phases = await soakRss();
  report.section(
    'soak',
    'Memory over time',
    'kafka mode; RSS peak and lowest heap in use, per sixth of each phase.\n\n' +
      markdown(
        [
          'phase',
          'seconds',
          'RSS first sixth MiB',
          'RSS last sixth MiB',
          'RSS peak MiB',
          'heap first sixth MiB',
          'heap last sixth MiB',
          'CPU % of a core',
          'requests answered 200',
        ],
        ['---', '---:', '---:', '---:', '---:', '---:', '---:', '---:', '---:'],
        phases.map((phase) => [
          phase.phase,
          String(phase.seconds),
          cell(phase.firstMiB),
          cell(phase.lastMiB),
          cell(phase.peakMiB),
          cell(phase.heapFirstMiB, 1),
          cell(phase.heapLastMiB, 1),
          cell(phase.cpuPercent, 1),
          String(phase.requests ?? ''),
        ]),
      ),
  );
}

async function sections(): Promise<void> {
  if (only === 'soak') return soak();

  const decisions = await benchDecisions();
  report.section(
    'decisions',
    'Rule decisions',
    '10,000 distinct event names; a dry run is the decision with every rule behind it, never cached.\n\n' +
      markdown(
        [
          'rules',
          'rule set build ms',
          'cold decisions/s',
          'warm (cached) decisions/s',
          'dry runs/s',
          'rule by rule, no cache, decisions/s',
        ],
        ['---:', '---:', '---:', '---:', '---:', '---:'],
        decisions.map((row) => [
          String(row.rules),
          cell(row.buildMs, 1),
          cell(row.coldPerSecond),
          cell(row.warmPerSecond),
          cell(row.explainPerSecond),
          cell(row.ruleByRulePerSecond),
        ]),
      ),
  );
  if (only === 'decisions') return;

  const schemas = benchSchemas();
  report.section(
    'schemas',
    'Content schema checks (EVENT_SCHEMA_VALIDATION)',
    'Per event, the contents the real controller sent (docs/kytos-event-catalogue.json), by content schema; "vs serializing" divides the check by making the event\'s record, which every event costs anyway.\n\n' +
      markdown(
        [
          'content schema',
          'event names',
          'content bytes',
          'check us',
          'serialize us',
          'vs serializing',
        ],
        ['---', '---:', '---:', '---:', '---:', '---:'],
        schemas.map((row) => [
          row.schema,
          String(row.names),
          cell(row.bytes),
          cell(row.checkUs, 2),
          cell(row.serializeUs, 2),
          `${cell(row.checkUs / row.serializeUs, 2)}x`,
        ]),
      ),
  );
  if (only === 'schemas') return;

  const client = await benchClient();
  const bare = client[0]?.eventsPerSecond ?? NaN;
  report.section(
    'client',
    "The producer behind Nest's ClientKafka or bare",
    'Batches of 100, one request at a time, gzip, acks all, idempotent; rounds alternated.\n\n' +
      markdown(
        ['producer', 'events/s', 'vs bare', 'p50 ms per request', 'p99 ms'],
        ['---', '---:', '---:', '---:', '---:'],
        client.map((row) => [
          row.path,
          cell(row.eventsPerSecond),
          `${cell(row.eventsPerSecond / bare, 2)}x`,
          cell(row.p50Ms, 2),
          cell(row.p99Ms, 2),
        ]),
      ),
  );
  if (only === 'client') return;

  const gzip = await benchGzip();
  report.section(
    'gzip',
    'gzip per produce request',
    "kafkajs' codec or the service's; ~1 KB sample events, acks all, idempotent, one request at a time; rounds alternated.\n\n" +
      markdown(
        ['events per request', 'codec', 'latency us', 'CPU us', 'CPU vs kafkajs'],
        ['---:', '---', '---:', '---:', '---:'],
        gzip.map((row) => {
          const theirs = gzip.find(
            (other) => other.events === row.events && other.codec === 'kafkajs',
          );
          return [
            String(row.events),
            row.codec,
            cell(row.latencyUs),
            cell(row.cpuUs),
            `${cell(row.cpuUs / (theirs?.cpuUs ?? NaN), 2)}x`,
          ];
        }),
      ),
  );
  if (only === 'gzip') return;

  const delivery = await benchDelivery();
  report.section(
    'delivery',
    'Delivery',
    'Realistic ~1 KB Kytos events; "vs raw kafkajs" divides by the first row.\n\n' +
      deliveryTable(delivery.rows, delivery.ceiling),
  );
  if (only === 'delivery') return;
  await soak();
}

if (only === 'profile') {
  for (const run of await profileService()) {
    process.stdout.write(
      `\nCPU profile ${run.name}: ${run.requests} requests; top by self time (${run.artifact})\n\n`,
    );
    for (const entry of run.entries.slice(0, 12)) {
      process.stdout.write(
        `  ${(entry.selfShare * 100).toFixed(1).padStart(5)}% self ${(entry.totalShare * 100).toFixed(1).padStart(5)}% total  ${entry.frame}\n`,
      );
    }
    process.stdout.write('  by area:\n');
    for (const entry of run.areas.slice(0, 12)) {
      process.stdout.write(`  ${(entry.selfShare * 100).toFixed(1).padStart(5)}%  ${entry.area}\n`);
    }
  }
} else {
  await sections();
  report.save(SECTIONS);
}
// Clients the benchmarks made may keep timers alive; every figure is written by now.
process.exit(0);
