import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPORT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'docs', 'benchmarks.md');

const INTRO = `# Benchmarks

Written by \`npm run bench\`; do not edit. Each section below is replaced by the run that measured
it (\`BENCH_ONLY\` runs some sections and leaves the others as they were), and says when and on
what. Broker, service and load generator share one machine, so compare the ratios within one
section, not figures across sections or machines.

What is measured:

- **Rule decisions**: 10,000 distinct event names against 1, 100 and 1,000 rules; cold (first
  pass), warm (cached per name), the dry run (every responsible rule, never cached), and rule by
  rule without the RE2 set or the cache.
- **Producer**: the producer behind Nest's \`ClientKafka\` against a bare kafkajs producer,
  rounds alternated.
- **gzip**: kafkajs' own codec against the service's, per produce request.
- **Delivery**: the raw ceiling (a kafkajs producer configured as the service's, and Kafka's Java
  \`ProducerPerformance\` on the same records), the load generator's own ceiling (a bare
  \`node:http\` server), the framework's ceiling (Nest on Fastify answering \`{}\`), and the
  webhook in both delivery modes: single events at 1, 16 and 64 connections, batches of 100, and
  single events at half of the 64-connection peak, paced evenly (latency counted from when each
  request was due).
- **Memory over time**: an idle service and one under a steady paced load
  (\`BENCH_IDLE_SECONDS\`, \`BENCH_SOAK_SECONDS\`, \`BENCH_SOAK_RATE\`).

\`BENCH_SECONDS\` sets the delivery rows' length; \`BENCH_ONLY=decisions|client|gzip|delivery\` runs
the sections up to that one, \`soak\` and \`profile\` only theirs (\`profile\` writes CPU profile
summaries to \`bench/profiles/\`). Earlier measurements, and what moved them, are in
[performance-history.md](performance-history.md).
`;

const marker = (name: string, end = false) => `<!-- bench:${name}${end ? ' end' : ''} -->`;

/**
 * What one `npm run bench` measured: each section printed as it is done, and written into
 * docs/benchmarks.md in place of that section's previous figures.
 */
export class BenchReport {
  private readonly sections = new Map<string, string>();

  section(name: string, title: string, body: string): void {
    const heading = `## ${title}\n\n${os.cpus().length} cores, Node ${process.version}, ${new Date().toISOString().slice(0, 16)}Z.\n\n`;
    process.stdout.write(`\n${heading}${body}\n`);
    this.sections.set(name, `${heading}${body.trimEnd()}\n`);
  }

  /** Rewrites docs/benchmarks.md: this run's sections, the others kept from the last run. */
  save(order: readonly string[]): void {
    const previous = existsSync(REPORT) ? readFileSync(REPORT, 'utf8') : '';
    const parts = [INTRO];
    for (const name of order) {
      const body = this.sections.get(name) ?? kept(previous, name);
      if (body !== undefined) parts.push(`${marker(name)}\n\n${body}\n${marker(name, true)}\n`);
    }
    writeFileSync(REPORT, parts.join('\n'));
    process.stdout.write(`\nwrote ${REPORT}\n`);
  }
}

function kept(report: string, name: string): string | undefined {
  const start = report.indexOf(marker(name));
  const end = report.indexOf(marker(name, true));
  if (start < 0 || end < start) return undefined;
  return report.slice(start + marker(name).length, end).trim() + '\n';
}
