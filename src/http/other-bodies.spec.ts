import { HttpException } from '@nestjs/common';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { authSettings, RefusalDelay, WebhookAuthenticator } from '../auth/index.js';
import {
  ingestSettings,
  RequestBodyReader,
  UnverifiedBodyBudget,
  WEBHOOK_ROUTE,
} from '../ingest/index.js';
import { readOtherBodies } from './other-bodies.js';

/** Fastify with the service's reader of other bodies, a plain POST route and a webhook route. */
function fastifyReadingOtherBodies(): { fastify: FastifyInstance; bodies: unknown[] } {
  const reader = new RequestBodyReader(
    new WebhookAuthenticator(
      authSettings.parse({ AUTH_WEBHOOK_SECRET: 'a-secret-of-some-length' }),
    ),
    new RefusalDelay(0),
    new UnverifiedBodyBudget(1 << 20, 1 << 16),
    ingestSettings.parse({}),
  );
  const fastify = Fastify();
  reader.install(fastify);
  readOtherBodies(fastify, reader);
  fastify.setErrorHandler((error, _request, reply) => {
    const status = error instanceof HttpException ? error.getStatus() : 500;
    void reply.code(status).send({ message: (error as Error).message });
  });
  const bodies: unknown[] = [];
  const handler = (request: FastifyRequest) => {
    bodies.push(request.body);
    return { ok: true };
  };
  fastify.post('/rules', handler);
  fastify.post('/events', { config: WEBHOOK_ROUTE }, handler);
  fastify.get('/rules', handler);
  return { fastify, bodies };
}

describe('readOtherBodies', () => {
  let fastify: FastifyInstance;
  let bodies: unknown[];
  before(() => ({ fastify, bodies } = fastifyReadingOtherBodies()));
  after(() => fastify.close());

  const post = (url: string, payload: string, type = 'application/json') =>
    fastify.inject({ method: 'POST', url, payload, headers: { 'content-type': type } });

  it("parses a POST's JSON body before the handler", async () => {
    bodies.length = 0;
    const answer = await post('/rules', '{"pattern":"kytos/.*"}');
    assert.equal(answer.statusCode, 200);
    assert.deepEqual(bodies, [{ pattern: 'kytos/.*' }]);
  });

  it("answers the reader's refusals with their status, and the handler never runs", async () => {
    bodies.length = 0;
    const refused = [
      [await post('/rules', '{"pattern":'), 400],
      [await post('/rules', '"a string"'), 400],
      [await post('/rules', '{}', 'text/plain'), 415],
      [await post('/rules', `{"pad":"${'a'.repeat(70_000)}"}`), 413],
    ] as const;
    for (const [answer, status] of refused) {
      assert.equal(answer.statusCode, status, answer.body);
      assert.equal(typeof answer.json<{ message: string }>().message, 'string');
    }
    assert.deepEqual(bodies, []);
  });

  it("leaves a webhook route's body unread, for its guard, and a GET alone", async () => {
    bodies.length = 0;
    assert.equal((await post('/events', '{"name":"x"}')).statusCode, 200);
    assert.equal((await fastify.inject('/rules')).statusCode, 200);
    assert.deepEqual(bodies, [undefined, undefined]);
  });
});
