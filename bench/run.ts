import os from 'node:os';
import { benchClient } from './client.bench.js';
import { benchDecisions } from './decision.bench.js';
import { benchDelivery, Row } from './delivery.bench.js';
import { benchGzip } from './gzip.bench.js';
import { profileService } from './profile.bench.js';
import { soakRss } from './soak.bench.js';

// `npm run bench`: every figure of one run on one machine, against one local broker, so the
// ratios compare like with like even when the machine is noisy. Numbers, never pass/fail.

function cell(value: number | undefined, digits = 0): string {
  return value === undefined || Number.isNaN(value) ? '' : value.toFixed(digits);
}

function table(rows: Row[], ceiling: number): string {
  const lines = [
    '| path | events/s | vs raw kafkajs | p50 ms | p99 ms | peak RSS MiB | non-2xx/errors |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const row of rows) {
    lines.push(
      `| ${row.path} | ${cell(row.eventsPerSecond)} | ${cell(row.eventsPerSecond / ceiling, 2)}x | ${cell(row.p50Ms, 1)} | ${cell(row.p99Ms, 1)} | ${cell(row.peakRssMiB)} | ${row.errors ?? ''} |`,
    );
  }
  return lines.join('\n');
}

if (process.env.BENCH_ONLY === 'profile') {
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
  process.exit(0);
}

if (process.env.BENCH_ONLY === 'soak') {
  await printSoak();
  process.exit(0);
}

async function printSoak(): Promise<void> {
  const phases = await soakRss();
  process.stdout.write(
    '\nMemory over time (kafka mode; RSS peak and lowest heap in use, per sixth of each phase)\n\n',
  );
  process.stdout.write(
    '| phase | seconds | RSS first sixth MiB | RSS last sixth MiB | RSS peak MiB | heap first sixth MiB | heap last sixth MiB | CPU % of a core | requests answered 200 |\n',
  );
  process.stdout.write('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n');
  for (const phase of phases) {
    process.stdout.write(
      `| ${phase.phase} | ${phase.seconds} | ${cell(phase.firstMiB)} | ${cell(phase.lastMiB)} | ${cell(phase.peakMiB)} | ${cell(phase.heapFirstMiB, 1)} | ${cell(phase.heapLastMiB, 1)} | ${cell(phase.cpuPercent, 1)} | ${phase.requests ?? ''} |\n`,
    );
  }
}

const decisions = await benchDecisions();
process.stdout.write(
  `\nRule decisions (10,000 distinct event names; ${os.cpus().length} cores, Node ${process.version})\n\n`,
);
process.stdout.write(
  '| rules | rule set build ms | cold decisions/s | warm (cached) decisions/s | dry runs/s | rule by rule, no cache, decisions/s |\n',
);
process.stdout.write('| ---: | ---: | ---: | ---: | ---: | ---: |\n');
for (const row of decisions) {
  process.stdout.write(
    `| ${row.rules} | ${cell(row.buildMs, 1)} | ${cell(row.coldPerSecond)} | ${cell(row.warmPerSecond)} | ${cell(row.explainPerSecond)} | ${cell(row.ruleByRulePerSecond)} |\n`,
  );
}
if (process.env.BENCH_ONLY === 'decisions') process.exit(0);

const client = await benchClient();
process.stdout.write(
  "\nThe producer behind Nest's ClientKafka or bare (batches of 100, one request at a time, gzip, acks all, idempotent; rounds alternated)\n\n",
);
process.stdout.write('| producer | events/s | vs bare | p50 ms per request | p99 ms |\n');
process.stdout.write('| --- | ---: | ---: | ---: | ---: |\n');
const [bare] = client;
for (const row of client) {
  process.stdout.write(
    `| ${row.path} | ${cell(row.eventsPerSecond)} | ${cell(row.eventsPerSecond / (bare?.eventsPerSecond ?? NaN), 2)}x | ${cell(row.p50Ms, 2)} | ${cell(row.p99Ms, 2)} |\n`,
  );
}
if (process.env.BENCH_ONLY === 'client') process.exit(0);

const gzip = await benchGzip();
process.stdout.write(
  "\ngzip per produce request: kafkajs' codec or the service's (~1 KB sample events, acks all, idempotent, one request at a time; rounds alternated)\n\n",
);
process.stdout.write('| events per request | codec | latency us | CPU us | CPU vs kafkajs |\n');
process.stdout.write('| ---: | --- | ---: | ---: | ---: |\n');
for (const row of gzip) {
  const theirs = gzip.find((other) => other.events === row.events && other.codec === 'kafkajs');
  process.stdout.write(
    `| ${row.events} | ${row.codec} | ${cell(row.latencyUs)} | ${cell(row.cpuUs)} | ${cell(row.cpuUs / (theirs?.cpuUs ?? NaN), 2)}x |\n`,
  );
}
if (process.env.BENCH_ONLY === 'gzip') process.exit(0);

const delivery = await benchDelivery();
process.stdout.write(
  `\nDelivery (${os.cpus().length} cores, Node ${process.version}, ${new Date().toISOString()})\n\n`,
);
process.stdout.write(`${table(delivery.rows, delivery.ceiling)}\n\n`);

if (process.env.BENCH_ONLY !== 'delivery') await printSoak();
