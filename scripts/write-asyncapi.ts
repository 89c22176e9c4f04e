import { Parser } from '@asyncapi/parser';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildAsyncApiDocument, RECORD_SCHEMA } from '../src/contract/index.js';
import { contractAjv, contractSchemaRef } from '../src/contract/content-schema-validator.js';
import { filterSettings } from '../src/filters/index.js';
import { kafkaSettings } from '../src/kafka/index.js';
import { writeOrCheck } from './generated-file.js';

// Writes asyncapi.json from the code, with the default settings. It must be valid AsyncAPI
// (@asyncapi/parser: no error, no warning) and its schemas valid JSON Schema 2020-12 (ajv,
// strict, compiles the record schema and with it every schema it reaches). With --check it
// only compares, and fails when the committed file has drifted.
const target = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'asyncapi.json');
const document = buildAsyncApiDocument({
  kafka: kafkaSettings.parse({}),
  filters: filterSettings.parse({}),
});
const text = `${JSON.stringify(document, null, 2)}\n`;

const { diagnostics } = await new Parser().parse(text);
// Spectral's severities: 0 error, 1 warning; information and hints ("3.1.0 is out") pass.
const problems = diagnostics.filter(({ severity }) => Number(severity) <= 1);
for (const { message, path } of problems) {
  process.stderr.write(`asyncapi.json: ${message} at ${path.join('/')}\n`);
}
if (problems.length > 0) process.exit(1);
contractAjv().compile(contractSchemaRef(RECORD_SCHEMA));

writeOrCheck(target, text, 'asyncapi.json', 'npm run asyncapi');
