import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import { exactDigitsOf, originalOf } from '../publisher/index.js';
import { contractSchemas } from './asyncapi-document.js';
import { CONTENT_SCHEMA_OF } from './event-families.js';
import {
  CONTENT_SCHEMAS,
  type ContentSchemaName,
  type JsonSchema,
  schemaRef,
} from './kytos-content-schemas.js';

/** Where an event's content departs from its schema. */
export interface SchemaMismatch {
  /** The content schema (a name in the contract's components). */
  schema: string;
  /** JSON Pointer into the content, `''` for the content itself. */
  instancePath: string;
  /** The content schema's name, then a JSON Pointer into it (references followed) to the keyword that failed. */
  schemaPath: string;
  message: string;
}

/** The base the contract's schemas are registered under; their references resolve inside it. */
const CONTRACT_ID = 'urn:kafka-events:contract';

/** strict: a keyword ajv does not know is a mistake in the contract, found when compiling. */
const AJV_OPTIONS = { strict: true, allowUnionTypes: true, allErrors: false } as const;

/** A content schema with each `$ref` replaced by a copy of the schema it names (none is recursive). */
function dereferenced(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(dereferenced);
  if (schema === null || typeof schema !== 'object') return schema;
  const { $ref, ...rest } = schema as JsonSchema;
  if (typeof $ref === 'string') {
    const name = $ref.slice($ref.lastIndexOf('/schemas/') + '/schemas/'.length, -'/schema'.length);
    return dereferenced({ ...CONTENT_SCHEMAS[name as ContentSchemaName], ...rest });
  }
  return Object.fromEntries(Object.entries(rest).map(([key, value]) => [key, dereferenced(value)]));
}

/** An ajv that knows every schema of the contract; compile `contractSchemaRef(name)` with it. */
export function contractAjv(): Ajv2020 {
  const ajv = new Ajv2020(AJV_OPTIONS);
  // The AsyncAPI document's own words around the schemas, which ajv reads past.
  ajv.addKeyword('components');
  ajv.addKeyword('schemaFormat');
  ajv.addSchema({ $id: CONTRACT_ID, components: { schemas: contractSchemas() } });
  return ajv;
}

/** A schema of the contract, by name, as a reference ajv resolves once contractAjv registered it. */
export function contractSchemaRef(name: string): { $ref: string } {
  return { $ref: `${CONTRACT_ID}${String(schemaRef(name).$ref)}` };
}

/** A schema's two compiled forms: the first failure only (every event), and every failure. */
interface Compiled {
  first: ValidateFunction;
  all: ValidateFunction;
}

/**
 * The content schemas, compiled once: checking an event costs one generated function call.
 * Events whose name no family lists are not checked.
 */
export class ContentSchemaValidator {
  private readonly validators = new Map<string, Compiled>();

  constructor() {
    const first = new Ajv2020(AJV_OPTIONS);
    const all = new Ajv2020({ ...AJV_OPTIONS, allErrors: true });
    const bySchema = new Map<string, Compiled>();
    for (const [name, schema] of CONTENT_SCHEMA_OF) {
      let compiled = bySchema.get(schema);
      if (!compiled) {
        // Whole, references replaced by what they name: ajv's schema path of a failure is
        // then one path in this one schema, whichever entity (link, interface) failed.
        const whole = dereferenced(CONTENT_SCHEMAS[schema]) as JsonSchema;
        compiled = { first: first.compile(whole), all: all.compile(whole) };
        bySchema.set(schema, compiled);
      }
      this.validators.set(name, compiled);
    }
  }

  /** Whether the contract describes this event's content. */
  knows(name: string): boolean {
    return this.validators.has(name);
  }

  /** Where the content departs from its event's schema; undefined when it conforms or is not described. */
  mismatchOf(name: string, content: unknown): SchemaMismatch | undefined {
    const compiled = this.validators.get(name);
    if (!compiled || compiled.first(content)) return undefined;
    const { first } = compiled;
    const carried = withCarriedNumbers(compiled.all, content);
    if (carried !== content && first(carried)) return undefined;
    const error = (first.errors ?? [])[0] as ErrorObject | undefined;
    const schema = CONTENT_SCHEMA_OF.get(name) ?? '';
    return {
      schema,
      instancePath: error?.instancePath ?? '',
      schemaPath: `${schema}${error?.schemaPath ?? '#'}`,
      message: error?.message ?? 'does not match',
    };
  }
}

/**
 * The content with each number that failed a type check only for being carried as digits (a
 * 64-bit cookie, see exact-json.ts) put back as the number it is (rounded: only its type is
 * checked); the content itself when there is none. Only the containers on the way to each are
 * copied: a content of any depth costs what its schema reaches, never a walk of all of it.
 */
function withCarriedNumbers(validateAll: ValidateFunction, content: unknown): unknown {
  validateAll(content);
  let patched = content;
  for (const { keyword, instancePath } of validateAll.errors ?? []) {
    if (keyword !== 'type') continue;
    const path = instancePath.split('/').slice(1).map(unescapePointer);
    const value = valueAt(patched, path);
    if (exactDigitsOf(value) !== undefined) patched = withValueAt(patched, path, originalOf(value));
  }
  return patched;
}

function unescapePointer(segment: string): string {
  return segment.replaceAll('~1', '/').replaceAll('~0', '~');
}

function valueAt(root: unknown, path: readonly string[]): unknown {
  let node = root;
  for (const key of path) node = (node as Record<string, unknown> | undefined)?.[key];
  return node;
}

function withValueAt(root: unknown, path: readonly string[], value: unknown): unknown {
  if (path.length === 0) return value;
  const [key, ...rest] = path as [string, ...string[]];
  // An array's copy is indexed by the pointer's digits as an object's by its keys.
  const copy = (
    Array.isArray(root) ? [...(root as unknown[])] : { ...(root as Record<string, unknown>) }
  ) as Record<string, unknown>;
  copy[key] = withValueAt(copy[key], rest, value);
  return copy;
}
