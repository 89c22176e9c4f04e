import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import prettier from 'prettier';
import { SETTINGS_GROUPS } from '../src/app.settings.js';
import type { AnySettingsGroup } from '../src/config/settings-group.js';
import { writeOrCheck } from './generated-file.js';

// Writes the README's settings table from the settings each module declares (their defaults and
// descriptions), between the two markers. With --check it only compares, and fails on drift.
const readme = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'README.md');
const START = '<!-- settings table: written by `npm run settings`, do not edit -->';
const END = '<!-- end of settings table -->';

const rows = ['| Variable | Default | Meaning |', '| --- | --- | --- |'];
for (const group of Object.values<AnySettingsGroup>(SETTINGS_GROUPS)) {
  rows.push(`| **${group.title}** | | |`);
  for (const [name, setting] of Object.entries(group.fields)) {
    const shown = setting.shownDefault;
    const fallback = shown === undefined ? '' : shown.includes('`') ? shown : `\`${shown}\``;
    rows.push(`| \`${name}\` | ${fallback} | ${setting.description.replaceAll('|', '\\|')} |`);
  }
}

const current = readFileSync(readme, 'utf8');
const start = current.indexOf(START);
const end = current.indexOf(END);
if (start < 0 || end < start) {
  process.stderr.write(`README.md lacks the settings table markers:\n${START}\n${END}\n`);
  process.exit(1);
}
const written = await prettier.format(
  `${current.slice(0, start + START.length)}\n\n${rows.join('\n')}\n\n${current.slice(end)}`,
  { ...(await prettier.resolveConfig(readme)), filepath: readme },
);

writeOrCheck(readme, written, "README.md's settings table", 'npm run settings');
