import { HttpException } from '@nestjs/common';
import Fastify, { type FastifyInstance } from 'fastify';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { gzipSync } from 'node:zlib';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { authSettings, RefusalDelay, signWebhook, WebhookAuthenticator } from '../auth/index.js';
import { exactDigitsOf } from '../json/index.js';
import { ingestSettings } from './ingest.settings.js';
import { RequestBodyReader } from './request-body-reader.js';
import { UnverifiedBodyBudget } from './unverified-body-budget.js';
import { verifiedBodyOf } from './verified-body.js';

const secret = 'a-shared-secret-of-some-length';
const MAX_BODY = 4096;

/** Fastify as the HTTP edge leaves it (every body unread), with the reader's hooks. */
function fastifyWith(reader: RequestBodyReader): FastifyInstance {
  const fastify = Fastify();
  reader.install(fastify);
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('*', (_request, _payload, done) => done(null, undefined));
  return fastify;
}

/** Reads as WebhookGuard does, before the handler. */
function webhookRoute(reader: RequestBodyReader) {
  return {
    preHandler: (request: FastifyRequest, reply: FastifyReply) =>
      reader.readWebhook(request, reply),
  };
}

/** Fastify with the reader installed, a webhook route and a rule-change route on loopback. */
async function serverWithReader(): Promise<{
  fastify: FastifyInstance;
  url: string;
  seen: unknown[];
  verified: boolean[];
}> {
  const reader = new RequestBodyReader(
    new WebhookAuthenticator(authSettings.parse({ AUTH_WEBHOOK_SECRET: secret })),
    new RefusalDelay(0),
    new UnverifiedBodyBudget(MAX_BODY * 4, MAX_BODY),
    ingestSettings.parse({ INGEST_MAX_BODY_BYTES: String(MAX_BODY) }),
  );
  const fastify = fastifyWith(reader);
  const seen: unknown[] = [];
  const verified: boolean[] = [];
  fastify.setErrorHandler((error, _request, reply) => {
    const status = error instanceof HttpException ? error.getStatus() : 500;
    void reply.code(status).send({ message: (error as Error).message });
  });
  const handler = (request: FastifyRequest) => {
    seen.push(request.body);
    verified.push(verifiedBodyOf(request)?.body === request.body);
    return { ok: true };
  };
  fastify.post('/events', webhookRoute(reader), handler);
  fastify.post(
    '/filters',
    {
      preValidation: (request, reply) => reader.readOther(request, reply),
    },
    handler,
  );
  await fastify.listen({ host: '127.0.0.1', port: 0 });
  const { port } = fastify.server.address() as AddressInfo;
  return { fastify, url: `http://127.0.0.1:${port}`, seen, verified };
}

function signedHeaders(body: Buffer): Record<string, string> {
  const timestamp = String(Math.floor(Date.now() / 1000));
  return {
    'content-type': 'application/json',
    'x-kytos-timestamp': timestamp,
    'x-kytos-signature': signWebhook(secret, timestamp, body),
  };
}

describe('RequestBodyReader', () => {
  let server: Awaited<ReturnType<typeof serverWithReader>>;
  before(async () => (server = await serverWithReader()));
  after(() => server.fastify.close());

  const post = (path: string, body: string | Buffer, headers: Record<string, string>) =>
    fetch(`${server.url}${path}`, { method: 'POST', body, headers });

  it('refuses an unsigned webhook request with 401 before anything reaches the route', async () => {
    const before = server.seen.length;
    const answer = await post('/events', '{"name":"x","content":{}}', {
      'content-type': 'application/json',
    });
    assert.equal(answer.status, 401);
    assert.equal(server.seen.length, before);
  });

  it('parses a signed body once, a 64-bit cookie digit for digit', async () => {
    const body = Buffer.from('{"name":"kytos/x","content":{"cookie":18446744073709551615}}');
    const answer = await post('/events', body, signedHeaders(body));
    assert.equal(answer.status, 200);
    const parsed = server.seen.at(-1) as { content: { cookie: unknown } };
    assert.equal(exactDigitsOf(parsed.content.cookie), '18446744073709551615');
    assert.equal(server.verified.at(-1), true, 'the route is handed the verified body');
  });

  it('verifies the signature over the body as sent, then inflates it', async () => {
    const body = gzipSync('[{"name":"kytos/gz","content":{}}]');
    const answer = await post('/events', body, {
      ...signedHeaders(body),
      'content-encoding': 'gzip',
    });
    assert.equal(answer.status, 200);
    assert.deepEqual(server.seen.at(-1), [{ name: 'kytos/gz', content: {} }]);
  });

  it('refuses a body that does not match its signature, and a signature used twice', async () => {
    const body = Buffer.from('{"name":"kytos/x","content":{}}');
    const headers = signedHeaders(body);
    assert.equal((await post('/events', '{"name":"kytos/y","content":{}}', headers)).status, 401);
    assert.equal((await post('/events', body, headers)).status, 200);
    assert.equal((await post('/events', body, headers)).status, 401, 'a replay');
  });

  it('answers 415, 413 and 400 for what is not a JSON object or array within the limit', async () => {
    const text = Buffer.from('name=x');
    assert.equal(
      (await post('/events', text, { ...signedHeaders(text), 'content-type': 'text/plain' }))
        .status,
      415,
    );
    const big = Buffer.from(JSON.stringify({ name: 'x', content: { pad: 'a'.repeat(MAX_BODY) } }));
    assert.equal((await post('/events', big, signedHeaders(big))).status, 413);
    const scalar = Buffer.from('42');
    assert.equal((await post('/events', scalar, signedHeaders(scalar))).status, 400);
  });

  it('reads other POST bodies without webhook credentials, as plain JSON', async () => {
    const answer = await post('/filters', '{"pattern":"kytos/x","n":18446744073709551615}', {
      'content-type': 'application/json',
    });
    assert.equal(answer.status, 200);
    const parsed = server.seen.at(-1) as { n: unknown };
    assert.equal(typeof parsed.n, 'number', 'exact numbers only where events are carried');
    assert.equal(server.verified.at(-1), false, 'not taken for a verified webhook body');
  });
});

describe('JsonBodyReader, bytes of bodies in progress (INGEST_MAX_BODIES_BYTES)', () => {
  it("holds a body's bytes until its work is answered, even when its sender hung up", async () => {
    const reader = new RequestBodyReader(
      new WebhookAuthenticator(authSettings.parse({ AUTH_WEBHOOK_SECRET: secret })),
      new RefusalDelay(0),
      new UnverifiedBodyBudget(MAX_BODY * 4, MAX_BODY),
      ingestSettings.parse({
        INGEST_MAX_BODY_BYTES: String(MAX_BODY),
        INGEST_MAX_BODIES_BYTES: '1024',
      }),
    );
    const fastify = fastifyWith(reader);
    fastify.removeAllContentTypeParsers();
    fastify.addContentTypeParser('*', (_request, _payload, done) => done(null, undefined));
    const steps: string[] = [];
    let finishFirst = () => {};
    const firstMayFinish = new Promise<void>((resolve) => (finishFirst = resolve));
    fastify.post('/events', webhookRoute(reader), async (request) => {
      const { name } = verifiedBodyOf(request)?.body as { name: string };
      steps.push(`${name} started`);
      if (name === 'first') await firstMayFinish;
      steps.push(`${name} answered`);
      return { ok: true };
    });
    await fastify.listen({ host: '127.0.0.1', port: 0 });
    try {
      const { port } = fastify.server.address() as AddressInfo;
      const url = `http://127.0.0.1:${port}/events`;
      const bodyOf = (name: string) =>
        Buffer.from(JSON.stringify({ name, content: { pad: 'a'.repeat(700) } }));
      const hangUp = new AbortController();
      const first = bodyOf('first');
      const abandoned = fetch(url, {
        method: 'POST',
        body: first,
        headers: signedHeaders(first),
        signal: hangUp.signal,
      }).catch(() => 'hung up');
      for (let waited = 0; steps.length === 0 && waited < 5_000; waited += 10) await sleep(10);
      hangUp.abort();
      assert.equal(await abandoned, 'hung up');
      const second = bodyOf('second');
      const answer = fetch(url, { method: 'POST', body: second, headers: signedHeaders(second) });
      await sleep(300);
      assert.deepEqual(steps, ['first started'], 'the second waits while the first is worked on');
      finishFirst();
      assert.equal((await answer).status, 200);
      assert.deepEqual(steps, [
        'first started',
        'first answered',
        'second started',
        'second answered',
      ]);
    } finally {
      // fetch keeps the connection alive for seconds; the test is over.
      fastify.server.closeAllConnections();
      await fastify.close();
    }
  });
});
