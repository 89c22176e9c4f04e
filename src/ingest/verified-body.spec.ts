import Fastify from 'fastify';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { declareVerifiedBody, keepVerifiedBody, verifiedBodyOf } from './verified-body.js';

describe('verifiedBodyOf', () => {
  it('gives the body kept for that request only, an empty one included', () => {
    const request = {};
    const other = {};
    assert.equal(verifiedBodyOf(request), undefined);
    keepVerifiedBody(request, null);
    assert.deepEqual(verifiedBodyOf(request), { body: null });
    keepVerifiedBody(other, []);
    assert.deepEqual(verifiedBodyOf(other), { body: [] });
    assert.equal(verifiedBodyOf({}), undefined, 'a request nobody verified');
    assert.equal(verifiedBodyOf({ body: [1], webhook: true }), undefined, 'no flag counts');
    // Under a symbol only the module holds: no name a request's data could be copied under.
    assert.deepEqual(Object.keys(request), []);
    assert.equal(Object.getOwnPropertySymbols(request).length, 1);
  });

  it('finds nothing on a request Fastify built until the reader keeps its body', async () => {
    const fastify = Fastify();
    declareVerifiedBody(fastify);
    const seen: unknown[] = [];
    fastify.post('/', (request) => {
      seen.push(verifiedBodyOf(request));
      keepVerifiedBody(request, request.body);
      seen.push(verifiedBodyOf(request));
      return {};
    });
    const answer = await fastify.inject({ method: 'POST', url: '/', payload: { a: 1 } });
    assert.equal(answer.statusCode, 200);
    assert.deepEqual(seen, [undefined, { body: { a: 1 } }]);
    await fastify.close();
  });
});
