import Fastify from 'fastify';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RequestSlot } from './request-slot.js';

describe('RequestSlot', () => {
  it('keeps a value per request and per slot, under a symbol no name reaches', () => {
    const first = new RequestSlot<number>('first');
    const second = new RequestSlot<number>('first');
    const request = {};
    first.set(request, 1);
    assert.equal(first.get(request), 1);
    assert.equal(second.get(request), undefined, 'another slot, though described alike');
    assert.equal(first.get({}), undefined, 'another request');
    assert.deepEqual(Object.keys(request), []);
    first.set(request, undefined);
    assert.equal(first.get(request), undefined);
  });

  it('is on every request Fastify builds once declared, empty until set', async () => {
    const slot = new RequestSlot<string>('declared');
    const fastify = Fastify();
    slot.declare(fastify);
    const seen: unknown[] = [];
    fastify.get('/', (request) => {
      seen.push(Object.getOwnPropertySymbols(request).length > 0, slot.get(request));
      slot.set(request, 'kept');
      seen.push(slot.get(request));
      return {};
    });
    assert.equal((await fastify.inject('/')).statusCode, 200);
    assert.equal((await fastify.inject('/')).statusCode, 200);
    assert.deepEqual(seen, [true, undefined, 'kept', true, undefined, 'kept']);
    await fastify.close();
  });
});
