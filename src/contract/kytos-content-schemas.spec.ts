import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parseJsonExact } from '../json/index.js';
import { ContentSchemaValidator } from './content-schema-validator.js';
import { CONTENT_SCHEMA_OF } from './event-families.js';
import {
  CONTENT_SCHEMAS,
  type ContentSchemaName,
  type JsonSchema,
} from './kytos-content-schemas.js';

/**
 * What the real controller sent in the full-stack tests (one example per event name), read from
 * the repository's root, where test.sh runs the specs, from src/ and from dist/ alike.
 */
const catalogue = JSON.parse(readFileSync('docs/kytos-event-catalogue.json', 'utf8')) as {
  events: Record<string, { example: Record<string, unknown> }>;
};
const examples = Object.entries(catalogue.events);
const validator = new ContentSchemaValidator();

/** The schema a `$ref` into the contract names, or the schema itself. */
function resolved(schema: JsonSchema): JsonSchema {
  const ref = schema.$ref as string | undefined;
  if (!ref) return schema;
  const name = ref.split('/')[3] as ContentSchemaName;
  return CONTENT_SCHEMAS[name];
}

interface Place {
  path: string[];
  required: string[];
  properties: Record<string, JsonSchema>;
}

/** Every object of the example that a schema requires fields of: where, which, and their schemas. */
function requiredPlaces(value: unknown, schema: JsonSchema, path: string[] = []): Place[] {
  const node = resolved(schema);
  const places: Place[] = [];
  for (const part of (node.allOf as JsonSchema[] | undefined) ?? []) {
    places.push(...requiredPlaces(value, part, path));
  }
  if (Array.isArray(value) && node.items) {
    value.forEach((item, index) =>
      places.push(...requiredPlaces(item, node.items as JsonSchema, [...path, String(index)])),
    );
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return places;
  const properties = (node.properties ?? {}) as Record<string, JsonSchema>;
  if (Array.isArray(node.required)) {
    places.push({ path, required: node.required as string[], properties });
  }
  for (const [key, item] of Object.entries(value)) {
    const sub =
      properties[key] ??
      (typeof node.additionalProperties === 'object'
        ? (node.additionalProperties as JsonSchema)
        : undefined);
    if (sub) places.push(...requiredPlaces(item, sub, [...path, key]));
  }
  return places;
}

function at(root: unknown, path: string[]): Record<string, unknown> {
  return path.reduce((node, key) => (node as Record<string, unknown>)[key], root) as Record<
    string,
    unknown
  >;
}

/** A value of a JSON type the field's schema does not allow. */
function retyped(schema: JsonSchema | undefined): unknown {
  const node = schema ? resolved(schema) : {};
  const allowed = new Set([node.type ?? []].flat() as string[]);
  if (node.const !== undefined) allowed.add(typeof node.const);
  const candidates: [string, unknown][] = [
    ['string', 'retyped'],
    ['integer', 12345],
    ['boolean', true],
    ['object', { retyped: true }],
  ];
  return candidates.find(
    ([type]) => !allowed.has(type) && !(type === 'integer' && allowed.has('number')),
  )![1];
}

describe('the content schemas against what the real Kytos-ng sent', () => {
  it('give every event name of the catalogue a family', () => {
    const unknown = examples.map(([name]) => name).filter((name) => !CONTENT_SCHEMA_OF.has(name));
    assert.deepEqual(unknown, []);
  });

  it('accept every example of the catalogue', () => {
    for (const [name, { example }] of examples) {
      assert.equal(validator.mismatchOf(name, example), undefined, name);
    }
  });

  it('refuse every required field of every example renamed, or given another type', () => {
    let checked = 0;
    for (const [name, { example }] of examples) {
      const schema = CONTENT_SCHEMAS[CONTENT_SCHEMA_OF.get(name) as ContentSchemaName];
      for (const { path, required, properties } of requiredPlaces(example, schema)) {
        for (const field of required) {
          const renamed = structuredClone(example);
          const holder = at(renamed, path);
          holder[`${field}_renamed`] = holder[field];
          delete holder[field];
          const missing = validator.mismatchOf(name, renamed);
          assert.ok(missing, `${name}: ${[...path, field].join('.')} renamed passes`);
          assert.match(missing.message, new RegExp(`required property '${field}'`));

          const changed = structuredClone(example);
          at(changed, path)[field] = retyped(properties[field]);
          const mismatch = validator.mismatchOf(name, changed);
          assert.ok(mismatch, `${name}: ${[...path, field].join('.')} retyped passes`);
          assert.equal(mismatch.instancePath, `/${[...path, field].join('/')}`);
          checked++;
        }
      }
    }
    // Every name of the catalogue, most of them with nested switches, interfaces and links.
    assert.ok(checked > 1000, `only ${checked} fields checked`);
  });

  it('name the failing keyword inside the schema, through the entities it references', () => {
    const [name, { example }] = examples.find(([event]) => event === 'kytos/topology.link_up')!;
    const changed = structuredClone(example) as { link: { endpoint_b: Record<string, unknown> } };
    changed.link.endpoint_b.port_number = '2';
    assert.deepEqual(validator.mismatchOf(name, changed), {
      schema: 'LinkStatusEvent',
      instancePath: '/link/endpoint_b/port_number',
      schemaPath:
        'LinkStatusEvent#/properties/link/properties/endpoint_b/properties/port_number/type',
      message: 'must be integer',
    });
  });

  it('let fields Kytos may add pass', () => {
    const [name, { example }] = examples.find(([event]) => event === 'kytos/topology.link_up')!;
    const grown = structuredClone(example) as { link: Record<string, unknown> };
    grown.link.capacity = { mbps: 1000 };
    assert.equal(validator.mismatchOf(name, { ...grown, added: 1 }), undefined);
  });

  it('check a 64-bit cookie carried digit for digit as the number it is', async () => {
    const [name, { example }] = examples.find(
      ([event]) => event === 'kytos/flow_manager.flow.added',
    )!;
    const text = JSON.stringify(example).replace(/"cookie":\d+/, '"cookie":18446744073709551615');
    const carried = await parseJsonExact(text);
    assert.ok(carried.exactNumbers, 'the cookie is carried as digits');
    assert.equal(validator.mismatchOf(name, carried.value), undefined);

    const flow = structuredClone(example) as { flow: Record<string, unknown> };
    flow.flow.cookie = '18446744073709551615';
    assert.equal(validator.mismatchOf(name, flow)?.instancePath, '/flow/cookie');
  });

  it('check every carried cookie of a flow statistics reply, and nothing deeper than the schema', async () => {
    const [name, { example }] = examples.find(
      ([event]) => event === 'kytos/of_core.flow_stats.received',
    )!;
    const replies = (example as { replies_flows: Record<string, unknown>[] }).replies_flows;
    const grown = { ...example, replies_flows: [replies[0], replies[0], replies[0]] };
    const text = JSON.stringify(grown).replace(/"cookie":\d+/g, '"cookie":18446744073709551615');
    // An open field nested 100,000 deep: the check must not walk it, nor overflow the stack.
    const deep = `${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}`;
    const carried = await parseJsonExact(text.replace('"match":{', `"match":{"deep":${deep},`));
    assert.ok(carried.exactNumbers);
    assert.equal(validator.mismatchOf(name, carried.value), undefined);

    // The same, with the first flow's priority a string: refused, cookies and depth notwithstanding.
    const broken = await parseJsonExact(
      text.replace(/"priority":(\d+)/, `"deep":${deep},"priority":"$1"`),
    );
    assert.equal(
      validator.mismatchOf(name, broken.value)?.instancePath,
      '/replies_flows/0/priority',
    );
  });
});
