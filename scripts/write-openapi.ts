import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createApp } from '../src/app.factory.js';
import { loadAppConfig } from '../src/app.settings.js';
import { buildOpenApiDocument } from '../src/http/openapi.js';
import { writeOrCheck } from './generated-file.js';

// Writes openapi.json from the code (no Kafka needed: the app is built, never started).
// With --check it only compares, and fails when the committed file has drifted.
const target = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'openapi.json');
const app = await createApp(loadAppConfig({ LOG_LEVEL: 'error', AUTH_DISABLED: 'true' }));
const text = `${JSON.stringify(buildOpenApiDocument(app), null, 2)}\n`;
await app.close();

writeOrCheck(target, text, 'openapi.json', 'npm run openapi');
