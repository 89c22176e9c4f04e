/** The parts of an OpenAPI 3.0 document that docs/api.md shows. */
export interface Schema {
  $ref?: string;
  type?: string;
  format?: string;
  description?: string;
  enum?: unknown[];
  nullable?: boolean;
  items?: Schema;
  properties?: Record<string, Schema>;
  additionalProperties?: boolean | Schema;
  required?: string[];
  oneOf?: Schema[];
  anyOf?: Schema[];
  allOf?: Schema[];
  minItems?: number;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  pattern?: string;
  default?: unknown;
  example?: unknown;
}

interface Parameter {
  name: string;
  in: string;
  required?: boolean;
  description?: string;
  schema?: Schema;
}

interface Operation {
  summary?: string;
  description?: string;
  parameters?: Parameter[];
  requestBody?: { content: Record<string, { schema: Schema }> };
  responses: Record<string, { description: string; content?: Record<string, { schema: Schema }> }>;
  security?: Record<string, string[]>[];
}

interface SecurityScheme {
  type: string;
  scheme?: string;
  in?: string;
  name?: string;
  description?: string;
}

export interface OpenApiDocument {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema>; securitySchemes?: Record<string, SecurityScheme> };
}

/**
 * docs/api.md from openapi.json: every route with its parameters, body, answers and
 * credentials, then every schema field by field. OpenAPI descriptions are CommonMark, so they
 * are written as they are.
 */
export function renderApiReference(document: OpenApiDocument): string {
  const lines = [
    '# The HTTP API',
    '',
    '<!-- written from openapi.json by `npm run api-reference`, do not edit -->',
    '',
    '[openapi.json](../openapi.json) is the contract; the service serves it at `/api/docs/openapi.json`',
    'and shows it with Swagger UI at `/api/docs`. This page is written from it.',
    '',
    '## Routes',
  ];
  for (const [path, operations] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(operations)) {
      lines.push('', ...renderOperation(`${method.toUpperCase()} ${path}`, operation));
    }
  }
  lines.push('', '## Credentials', '', '| Name | Given as | Meaning |', '| --- | --- | --- |');
  for (const [name, scheme] of Object.entries(document.components.securitySchemes ?? {})) {
    const given =
      scheme.type === 'http' ? `\`Authorization: ${scheme.scheme}\`` : `header \`${scheme.name}\``;
    lines.push(row(code(name), given, scheme.description ?? ''));
  }
  lines.push('', '## Schemas');
  for (const [name, schema] of Object.entries(document.components.schemas)) {
    lines.push('', ...renderSchema(name, schema, document.components.schemas));
  }
  return `${lines.join('\n')}\n`;
}

function renderOperation(title: string, operation: Operation): string[] {
  const lines = [`### \`${title}\``, ''];
  lines.push(operation.summary ?? '');
  if (operation.description) lines.push('', oneLine(operation.description));
  lines.push('', `Credentials: ${credentials(operation.security)}.`);
  const parameters = operation.parameters ?? [];
  if (parameters.length > 0) {
    lines.push(
      '',
      '| Parameter | In | Required | Type | Meaning |',
      '| --- | --- | --- | --- | --- |',
    );
    for (const parameter of parameters) {
      const schema = parameter.schema ?? {};
      lines.push(
        row(
          code(parameter.name),
          parameter.in,
          parameter.required ? 'yes' : 'no',
          typeOf(schema),
          withConstraints(parameter.description ?? '', schema),
        ),
      );
    }
  }
  for (const [mediaType, { schema }] of Object.entries(operation.requestBody?.content ?? {})) {
    lines.push('', `Body (\`${mediaType}\`): ${typeOf(schema)}.`);
  }
  lines.push('', '| Answer | Meaning | Body |', '| --- | --- | --- |');
  for (const [status, response] of Object.entries(operation.responses)) {
    const bodies = Object.entries(response.content ?? {}).map(
      ([mediaType, { schema }]) => `${typeOf(schema)} (\`${mediaType}\`)`,
    );
    lines.push(row(code(status), response.description, bodies.join(', ')));
  }
  return lines;
}

function renderSchema(name: string, schema: Schema, schemas: Record<string, Schema>): string[] {
  const lines = [`### ${name}`];
  if (schema.description) lines.push('', oneLine(schema.description));
  lines.push('', '| Field | Type | Required | Meaning |', '| --- | --- | --- | --- |');
  const required = new Set(schema.required ?? []);
  for (const [field, property] of Object.entries(schema.properties ?? {})) {
    const meaning = property.description ?? property.allOf?.[0]?.description ?? '';
    lines.push(
      row(
        code(field),
        typeOf(property),
        required.has(field) ? 'yes' : 'no',
        withConstraints(meaning, property),
      ),
    );
  }
  const example = exampleOf(schema, schemas);
  if (example !== undefined) {
    lines.push('', 'For example:', '', '```json', JSON.stringify(example, null, 2), '```');
  }
  return lines;
}

/** A schema's type in words, schemas named by a link to their section. */
export function typeOf(schema: Schema): string {
  if (schema.$ref) {
    const name = schema.$ref.split('/').pop() ?? schema.$ref;
    return `[${name}](#${name.toLowerCase()})`;
  }
  const alternatives = schema.oneOf ?? schema.anyOf;
  if (alternatives) return alternatives.map(typeOf).join(' or ');
  if (schema.allOf?.length === 1) return typeOf(schema.allOf[0]);
  let type: string;
  if (schema.enum) {
    type = schema.enum.map((value) => code(JSON.stringify(value))).join(' or ');
  } else if (schema.type === 'array') {
    const least = schema.minItems ? ` (at least ${schema.minItems})` : '';
    type = `array${least} of ${schema.items ? typeOf(schema.items) : 'anything'}`;
  } else if (schema.type === 'object' && schema.properties) {
    type = `object {${Object.keys(schema.properties).map(code).join(', ')}}`;
  } else if (schema.type === 'object' && typeof schema.additionalProperties === 'object') {
    type = `object of ${typeOf(schema.additionalProperties)} by key`;
  } else {
    type = `${schema.type ?? 'any'}${schema.format ? ` (${schema.format})` : ''}`;
  }
  return schema.nullable ? `${type} or null` : type;
}

function withConstraints(meaning: string, schema: Schema): string {
  const limits: string[] = [];
  if (schema.minLength !== undefined || schema.maxLength !== undefined) {
    limits.push(`${schema.minLength ?? 0} to ${schema.maxLength ?? '∞'} characters`);
  }
  if (schema.minimum !== undefined || schema.maximum !== undefined) {
    limits.push(`${schema.minimum ?? '−∞'} to ${schema.maximum ?? '∞'}`);
  }
  if (schema.pattern !== undefined) limits.push(`matches ${code(schema.pattern)}`);
  if (schema.default !== undefined) limits.push(`default ${code(JSON.stringify(schema.default))}`);
  const text = oneLine(meaning);
  if (limits.length === 0) return text;
  return `${text}${text ? ' ' : ''}(${limits.join('; ')})`;
}

/** An example of the whole schema, from its fields' examples; none unless every required field has one. */
export function exampleOf(schema: Schema, schemas: Record<string, Schema>): unknown {
  if (schema.example !== undefined) return schema.example;
  if (schema.$ref) return exampleOf(schemas[schema.$ref.split('/').pop() ?? ''] ?? {}, schemas);
  if (schema.type === 'array' && schema.items) {
    const item = exampleOf(schema.items, schemas);
    return item === undefined ? undefined : [item];
  }
  if (!schema.properties) return undefined;
  const example: Record<string, unknown> = {};
  for (const [field, property] of Object.entries(schema.properties)) {
    const value = exampleOf(property, schemas);
    if (value !== undefined) example[field] = value;
    else if (schema.required?.includes(field)) return undefined;
  }
  return example;
}

function credentials(security: Record<string, string[]>[] | undefined): string {
  if (!security || security.length === 0) return 'none';
  return security
    .map((alternative) => {
      const names = Object.keys(alternative);
      return names.length === 0 ? 'none' : names.map(code).join(' with ');
    })
    .join(', or ');
}

/** Inline code that holds any text: a fence longer than its longest run of backticks. */
export function code(text: string): string {
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longest + 1);
  const padding = longest > 0 ? ' ' : '';
  return `${fence}${padding}${text}${padding}${fence}`;
}

/** A table row; GFM ends a cell at any unescaped pipe, even inside inline code. */
function row(...cells: string[]): string {
  return `| ${cells.map((cell) => oneLine(cell).replaceAll('|', '\\|')).join(' | ')} |`;
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}
