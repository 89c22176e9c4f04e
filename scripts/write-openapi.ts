import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createApp } from '../src/app.factory.js';
import { loadAppConfig } from '../src/app.settings.js';
import { buildOpenApiDocument } from '../src/http/openapi.js';

// Writes openapi.json from the code (no Kafka needed: the app is built, never started).
// With --check it only compares, and fails when the committed file has drifted.
const target = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'openapi.json');
const app = await createApp(loadAppConfig({ LOG_LEVEL: 'error', AUTH_DISABLED: 'true' }));
const text = `${JSON.stringify(buildOpenApiDocument(app), null, 2)}\n`;
await app.close();

if (process.argv.includes('--check')) {
  let committed = '';
  try {
    committed = readFileSync(target, 'utf8');
  } catch {
    // A missing file is drift too.
  }
  if (committed !== text) {
    process.stderr.write(
      'openapi.json differs from what the code serves: run `npm run openapi` and commit it\n',
    );
    process.exit(1);
  }
  process.stdout.write('openapi.json matches the code\n');
} else {
  writeFileSync(target, text);
  process.stdout.write(`wrote ${target}\n`);
}
