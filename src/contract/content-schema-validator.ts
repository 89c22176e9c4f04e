import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import { originalOf } from '../publisher/index.js';
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

/**
 * The content schemas, compiled once: checking an event costs one generated function call.
 * Events whose name no family lists are not checked.
 */
export class ContentSchemaValidator {
  private readonly validators = new Map<string, ValidateFunction>();

  constructor() {
    const ajv = new Ajv2020(AJV_OPTIONS);
    const bySchema = new Map<string, ValidateFunction>();
    for (const [name, schema] of CONTENT_SCHEMA_OF) {
      let validate = bySchema.get(schema);
      if (!validate) {
        // Whole, references replaced by what they name: ajv's schema path of a failure is
        // then one path in this one schema, whichever entity (link, interface) failed.
        validate = ajv.compile(dereferenced(CONTENT_SCHEMAS[schema]) as JsonSchema);
        bySchema.set(schema, validate);
      }
      this.validators.set(name, validate);
    }
  }

  /** Whether the contract describes this event's content. */
  knows(name: string): boolean {
    return this.validators.has(name);
  }

  /** Where the content departs from its event's schema; undefined when it conforms or is not described. */
  mismatchOf(name: string, content: unknown): SchemaMismatch | undefined {
    const validate = this.validators.get(name);
    if (!validate || validate(content)) return undefined;
    // A 64-bit number is carried as a marked string (exact-json): checked again as the number it is.
    if (validate(withNumbers(content))) return undefined;
    const error = (validate.errors ?? [])[0] as ErrorObject | undefined;
    const schema = CONTENT_SCHEMA_OF.get(name) ?? '';
    return {
      schema,
      instancePath: error?.instancePath ?? '',
      schemaPath: `${schema}${error?.schemaPath ?? '#'}`,
      message: error?.message ?? 'does not match',
    };
  }
}

/** A copy with every carried number back as a number (rounded: only its type is checked). */
function withNumbers(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withNumbers);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, withNumbers(item)]));
  }
  return originalOf(value);
}
