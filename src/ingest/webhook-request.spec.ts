import assert from 'node:assert/strict';
import type { FastifyRequest } from 'fastify';
import { describe, it } from 'node:test';
import { isWebhookRoute, mediaTypeOf, WEBHOOK_ROUTE } from './webhook-request.js';

const routed = (config: unknown) => ({ routeOptions: { config } }) as unknown as FastifyRequest;

describe('webhook-request', () => {
  it('recognises a webhook route by its route config only', () => {
    assert.equal(isWebhookRoute(routed(WEBHOOK_ROUTE)), true);
    for (const config of [undefined, {}, { webhook: 'true' }]) {
      assert.equal(isWebhookRoute(routed(config)), false);
    }
  });

  it('takes a media type without its parameters, in lower case', () => {
    assert.equal(mediaTypeOf('Application/JSON; charset=utf-8'), 'application/json');
    assert.equal(mediaTypeOf(undefined), '');
  });
});
