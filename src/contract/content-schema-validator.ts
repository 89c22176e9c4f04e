import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import type { DataValidateFunction } from 'ajv/dist/types/index.js';
import { originalOf } from '../json/index.js';
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

/**
 * The keyword a scalar schema is moved under (see compilable): it checks a number carried as
 * digits (a 64-bit cookie, see src/json/exact-json.ts) as the number it is, and any other value as is.
 */
const CARRIED_NUMBER = 'carriedNumber';

/**
 * The types a carried number, a marked string, would be judged wrongly by: refused as an
 * integer or a number, let through as a string.
 */
const CARRIED_NUMBER_TYPES: readonly unknown[] = ['integer', 'number', 'string'];

/**
 * A content schema with each `$ref` replaced by a copy of the schema it names (none is
 * recursive), and each schema of those types put under CARRIED_NUMBER.
 */
function compilable(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(compilable);
  if (schema === null || typeof schema !== 'object') return schema;
  const { $ref, ...rest } = schema as JsonSchema;
  if (typeof $ref === 'string') {
    const name = $ref.slice($ref.lastIndexOf('/schemas/') + '/schemas/'.length, -'/schema'.length);
    return compilable({ ...CONTENT_SCHEMAS[name as ContentSchemaName], ...rest });
  }
  if ([rest.type ?? []].flat().some((type) => CARRIED_NUMBER_TYPES.includes(type))) {
    return { [CARRIED_NUMBER]: rest };
  }
  return Object.fromEntries(Object.entries(rest).map(([key, value]) => [key, compilable(value)]));
}

/**
 * The scalar schema is compiled on its own and given a carried number put back as a number
 * (rounded: its type and bounds are what is checked), in place: no content is copied, and each
 * value costs one call whatever holds it. Its errors keep their keyword and message; the
 * schema path of the one that failed is kept for the mismatch.
 */
function addCarriedNumberKeyword(ajv: Ajv2020): void {
  ajv.addKeyword({
    keyword: CARRIED_NUMBER,
    schemaType: 'object',
    compile(numeric: JsonSchema) {
      const check = ajv.compile(numeric);
      const validate: DataValidateFunction = (data: unknown) => {
        if (check(originalOf(data))) return true;
        validate.errors = (check.errors ?? []).map(({ keyword, params, message, schemaPath }) => ({
          keyword,
          params: { ...params, [CARRIED_NUMBER]: schemaPath },
          message,
        }));
        return false;
      };
      return validate;
    },
  });
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
 * The content schemas, compiled once: checking an event costs one generated function call,
 * which stops at the first failure. Events whose name no family lists are not checked.
 */
export class ContentSchemaValidator {
  private readonly validators = new Map<string, ValidateFunction>();

  constructor() {
    const ajv = new Ajv2020(AJV_OPTIONS);
    addCarriedNumberKeyword(ajv);
    const bySchema = new Map<string, ValidateFunction>();
    for (const [name, schema] of CONTENT_SCHEMA_OF) {
      let compiled = bySchema.get(schema);
      if (!compiled) {
        // Whole, references replaced by what they name: ajv's schema path of a failure is
        // then one path in this one schema, whichever entity (link, interface) failed.
        compiled = ajv.compile(compilable(CONTENT_SCHEMAS[schema]) as JsonSchema);
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
    const validate = this.validators.get(name);
    if (!validate || validate(content)) return undefined;
    const error = (validate.errors ?? [])[0] as ErrorObject | undefined;
    const schema = CONTENT_SCHEMA_OF.get(name) ?? '';
    return {
      schema,
      instancePath: error?.instancePath ?? '',
      schemaPath: `${schema}${publishedSchemaPath(error)}`,
      message: error?.message ?? 'does not match',
    };
  }
}

/** The failure's schema path in the contract's schema: a numeric schema's own, under its field's. */
function publishedSchemaPath(error: ErrorObject | undefined): string {
  if (!error) return '#';
  const numeric = (error.params as Record<string, unknown>)[CARRIED_NUMBER];
  if (typeof numeric !== 'string') return error.schemaPath;
  return `${error.schemaPath.slice(0, -`/${CARRIED_NUMBER}`.length)}${numeric.slice(1)}`;
}
