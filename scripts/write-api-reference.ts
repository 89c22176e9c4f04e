import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import prettier from 'prettier';
import { type OpenApiDocument, renderApiReference } from './api-reference.js';
import { writeOrCheck } from './generated-file.js';

// Writes docs/api.md from the committed openapi.json (which openapi:check holds to the code);
// `npm run openapi` writes both. With --check it only compares, and fails on drift.
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const target = join(root, 'docs', 'api.md');
const document = JSON.parse(readFileSync(join(root, 'openapi.json'), 'utf8')) as OpenApiDocument;
const text = await prettier.format(renderApiReference(document), {
  ...(await prettier.resolveConfig(target)),
  filepath: target,
});

writeOrCheck(target, text, 'docs/api.md', 'npm run api-reference');
