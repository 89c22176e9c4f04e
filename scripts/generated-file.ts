import { readFileSync, writeFileSync } from 'node:fs';

/**
 * A file written from the code (openapi.json, the README's settings table): written, or with
 * --check only compared, failing when the committed copy drifted from what the code makes.
 */
export function writeOrCheck(path: string, text: string, what: string, command: string): void {
  if (!process.argv.includes('--check')) {
    writeFileSync(path, text);
    process.stdout.write(`wrote ${what} (${path})\n`);
    return;
  }
  let committed = '';
  try {
    committed = readFileSync(path, 'utf8');
  } catch {
    // A missing file is drift too.
  }
  if (committed !== text) {
    process.stderr.write(`${what} differs from the code: run \`${command}\` and commit it\n`);
    process.exit(1);
  }
  process.stdout.write(`${what} matches the code\n`);
}
