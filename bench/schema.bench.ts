import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ContentSchemaValidator } from '../src/contract/content-schema-validator.js';
import { CONTENT_SCHEMA_OF } from '../src/contract/event-families.js';
import { EventEnvelope } from '../src/publisher/index.js';

export interface SchemaRow {
  schema: string;
  names: number;
  bytes: number;
  checkUs: number;
  serializeUs: number;
}

/** Long enough per content for a stable mean on a noisy machine, short enough for a bench run. */
const ROUNDS_MS = 300;

/** Mean microseconds of one call, over as many calls as fit in ROUNDS_MS after a warm-up. */
function microseconds(call: () => unknown): number {
  for (let i = 0; i < 200; i++) call();
  let calls = 0;
  const started = performance.now();
  while (performance.now() - started < ROUNDS_MS) {
    for (let i = 0; i < 50; i++) call();
    calls += 50;
  }
  return ((performance.now() - started) * 1000) / calls;
}

/**
 * EVENT_SCHEMA_VALIDATION's cost per event: checking a content the real controller sent
 * (docs/kytos-event-catalogue.json) against its schema, beside what the service does to every
 * event anyway, serializing it into its record; one row per content schema.
 */
export function benchSchemas(): SchemaRow[] {
  const catalogue = JSON.parse(
    readFileSync(
      join(import.meta.dirname, '..', '..', 'docs', 'kytos-event-catalogue.json'),
      'utf8',
    ),
  ) as { events: Record<string, { example: Record<string, unknown> }> };
  const validator = new ContentSchemaValidator();
  const bySchema = new Map<string, [string, Record<string, unknown>][]>();
  for (const [name, { example }] of Object.entries(catalogue.events)) {
    const schema = CONTENT_SCHEMA_OF.get(name);
    if (schema) bySchema.set(schema, [...(bySchema.get(schema) ?? []), [name, example]]);
  }
  const receivedAt = new Date();
  const rows: SchemaRow[] = [];
  for (const [schema, events] of bySchema) {
    let checkUs = 0;
    let serializeUs = 0;
    let bytes = 0;
    for (const [name, content] of events) {
      checkUs += microseconds(() => validator.mismatchOf(name, content));
      serializeUs += microseconds(() =>
        EventEnvelope.fromEvent({ name, content }, receivedAt, { topic: 'event_logs' }),
      );
      bytes += JSON.stringify(content).length;
    }
    rows.push({
      schema,
      names: events.length,
      bytes: bytes / events.length,
      checkUs: checkUs / events.length,
      serializeUs: serializeUs / events.length,
    });
  }
  return rows.sort((a, b) => b.bytes - a.bytes);
}
