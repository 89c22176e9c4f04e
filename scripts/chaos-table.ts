import { readFileSync } from 'node:fs';
import type { BoundRow, ChaosRow } from '../test/support/chaos-report.js';

// Prints the rows the chaos scenarios reported (JSON lines) as a Markdown table.
const lines = readFileSync(process.argv[2] ?? '', 'utf8')
  .split('\n')
  .filter(Boolean);
const entries = lines.map(
  (line) => JSON.parse(line) as ChaosRow | { figure: string } | { bound: BoundRow },
);
const rows = entries.filter((entry): entry is ChaosRow => 'scenario' in entry);
const out = [
  `\nFault injection (${process.env.CHAOS_SECONDS ?? '?'} s of traffic per streaming scenario)\n`,
  '| scenario | mode | requests 2xx | events acknowledged | lost | duplicates | innocent refused | faults injected |',
  '| --- | --- | ---: | ---: | ---: | ---: | ---: | --- |',
  ...rows.map(
    (row) =>
      `| ${row.scenario} | ${row.mode} | ${row.answered2xx} | ${row.acknowledged} | ${row.lost} | ${row.duplicates} | ${row.innocentRefused ?? 0} | ${row.faults} |`,
  ),
  '',
  '\nBounds per request (each held while the attack ran)\n',
  '| attack | bound | measured |',
  '| --- | --- | --- |',
  ...entries.flatMap((entry) =>
    'bound' in entry
      ? [`| ${entry.bound.attack} | ${entry.bound.bound} | ${entry.bound.measured} |`]
      : [],
  ),
  '',
  ...entries.flatMap((entry) => ('figure' in entry ? [`- ${entry.figure}`] : [])),
];
process.stdout.write(`${out.join('\n')}\n`);
