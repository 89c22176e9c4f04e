import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type OpenApiDocument, code, exampleOf, renderApiReference } from './api-reference.js';

const result = {
  type: 'object',
  properties: {
    accepted: { type: 'number', example: 3 },
    duplicates: { type: 'number', description: 'Retries not sent again.', example: 0 },
  },
  required: ['accepted', 'duplicates'],
};

const document: OpenApiDocument = {
  paths: {
    '/events': {
      post: {
        summary: 'Webhook.',
        requestBody: {
          content: { 'application/json': { schema: { $ref: '#/components/schemas/Event' } } },
        },
        responses: {
          '200': {
            description: 'in Kafka',
            content: { 'application/json': { schema: { $ref: '#/components/schemas/Result' } } },
          },
          '429': { description: 'over its rate limit' },
        },
        security: [{ token: [] }, { signature: [], timestamp: [] }],
      },
    },
  },
  components: {
    schemas: {
      Event: {
        type: 'object',
        properties: { name: { type: 'string', minLength: 1, maxLength: 256, pattern: 'a|b' } },
        required: ['name'],
      },
      Result: result,
    },
    securitySchemes: { token: { type: 'http', scheme: 'bearer', description: 'the token' } },
  },
};

describe('renderApiReference', () => {
  const text = renderApiReference(document);

  it('lists every answer of a route, its body linked to the schema', () => {
    assert.match(
      text,
      /^\| `200` \| in Kafka \| \[Result\]\(#result\) \(`application\/json`\) \|$/m,
    );
    assert.match(text, /^\| `429` \| over its rate limit \| {2}\|$/m);
    assert.match(text, /^Body \(`application\/json`\): \[Event\]\(#event\)\.$/m);
  });

  it('shows every field of a schema, required or not, with its limits', () => {
    assert.match(text, /^\| `duplicates` \| number \| yes \| Retries not sent again\. \|$/m);
    assert.match(
      text,
      /^\| `name` \| string \| yes \| \(1 to 256 characters; matches `a\\\|b`\) \|$/m,
    );
  });

  it('names the credentials a route takes, alternatives and those given together', () => {
    assert.match(text, /^Credentials: `token`, or `signature` with `timestamp`\.$/m);
  });
});

describe('exampleOf', () => {
  it("builds a schema's example from its fields', none when a required field has none", () => {
    assert.deepEqual(exampleOf(result, {}), { accepted: 3, duplicates: 0 });
    const lacking = {
      ...result,
      properties: { ...result.properties, accepted: { type: 'number' } },
    };
    assert.equal(exampleOf(lacking, {}), undefined);
  });
});

describe('code', () => {
  it('fences text holding backticks with a longer run', () => {
    assert.equal(code('a'), '`a`');
    assert.equal(code('x`y'), '`` x`y ``');
  });
});
