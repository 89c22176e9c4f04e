import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { ConfigError } from '../config/index.js';
import { frontDoor } from './front-door.js';
import { HttpErrorFilter } from './http-error.filter.js';
import { isManagementRoute, separateManagementPort } from './management-port.js';

/** A Fastify as createApp builds it (one front door, the one error shape), with a few routes. */
function serviceWith(management: { port: number; host: string } | undefined) {
  const fastify = Fastify({
    serverFactory: frontDoor,
    routerOptions: { caseSensitive: false, ignoreTrailingSlash: true },
    forceCloseConnections: false,
    return503OnClosing: false,
  });
  const errors = new HttpErrorFilter();
  fastify.setErrorHandler((error, _request, reply) => errors.answer(error, reply));
  const server = separateManagementPort(fastify, management);
  fastify.get('/metrics', () => 'metrics');
  // Slow, so that a shutdown can be seen waiting for it.
  fastify.get('/health/ready', async () => {
    await new Promise((resolve) => setTimeout(resolve, 300));
    return { status: 'ok' };
  });
  fastify.post('/api/events', () => ({ accepted: 1 }));
  return { fastify, server };
}

function portOf(server: Server | FastifyInstance['server']): number {
  return (server.address() as AddressInfo).port;
}

async function get(port: number, path: string, method = 'GET') {
  const response = await fetch(`http://127.0.0.1:${port}${path}`, { method });
  return { status: response.status, body: await response.text() };
}

describe('isManagementRoute', () => {
  it('is the probes and the metrics, spelled as the router matches them', () => {
    for (const path of ['/metrics', '/METRICS/', '/health', '/health/live', '/Health/Ready']) {
      assert.equal(isManagementRoute(path), true, path);
    }
    for (const path of ['/', '/healthz', '/metricsx', '/api/events', '/api/health/live']) {
      assert.equal(isManagementRoute(path), false, path);
    }
  });
});

describe('separateManagementPort', () => {
  describe('with a management address', () => {
    let fastify: FastifyInstance;
    let management: Server;
    let webhookPort: number;
    let managementPort: number;
    before(async () => {
      const service = serviceWith({ port: 0, host: '127.0.0.1' });
      fastify = service.fastify;
      assert.ok(service.server);
      management = service.server;
      await fastify.listen({ port: 0, host: '127.0.0.1' });
      webhookPort = portOf(fastify.server);
      managementPort = portOf(management);
    });
    after(() => fastify.close());

    it('answers the probes and the metrics on the management port only', async () => {
      assert.notEqual(managementPort, webhookPort);
      assert.deepEqual(await get(managementPort, '/metrics'), { status: 200, body: 'metrics' });
      assert.equal((await get(managementPort, '/health/ready')).status, 200);
      for (const path of ['/metrics', '/METRICS/', '/health/ready', '/metrics?x=1']) {
        const answer = await get(webhookPort, path);
        assert.equal(answer.status, 404, path);
        assert.deepEqual(JSON.parse(answer.body), {
          statusCode: 404,
          error: 'Not Found',
          message: `Cannot GET ${path}`,
        });
      }
    });

    it('answers the rest on the webhook port only', async () => {
      assert.equal((await get(webhookPort, '/api/events', 'POST')).status, 200);
      assert.equal((await get(managementPort, '/api/events', 'POST')).status, 404);
    });

    it('says 404, not 405, on the webhook port for another method on a management path', async () => {
      assert.equal((await get(webhookPort, '/metrics', 'POST')).status, 404);
      assert.equal((await get(webhookPort, '/metrics', 'HEAD')).status, 404);
    });
  });

  it('without an address, one port serves everything', async () => {
    const { fastify, server } = serviceWith(undefined);
    assert.equal(server, undefined);
    await fastify.listen({ port: 0, host: '127.0.0.1' });
    try {
      const port = portOf(fastify.server);
      assert.equal((await get(port, '/metrics')).status, 200);
      assert.equal((await get(port, '/health/ready')).status, 200);
      assert.equal((await get(port, '/api/events', 'POST')).status, 200);
    } finally {
      await fastify.close();
    }
  });

  it('at close, both ports stop taking connections; a probe in flight is answered first', async () => {
    const { fastify, server } = serviceWith({ port: 0, host: '127.0.0.1' });
    assert.ok(server);
    await fastify.listen({ port: 0, host: '127.0.0.1' });
    const managementPort = portOf(server);
    const inFlight = get(managementPort, '/health/ready');
    const [, response] = (await once(server, 'request')) as [unknown, ServerResponse];
    await fastify.close();
    assert.equal(response.writableFinished, true, 'close waited for the probe in flight');
    assert.equal((await inFlight).status, 200);
    assert.equal(server.listening, false);
    await assert.rejects(get(managementPort, '/health/ready'), 'a new connection is refused');
  });

  it('refuses to start on a management port already taken, naming the setting', async () => {
    const taken = createServer();
    taken.listen(0, '127.0.0.1');
    await once(taken, 'listening');
    const port = portOf(taken);
    const { fastify } = serviceWith({ port, host: '127.0.0.1' });
    try {
      await assert.rejects(fastify.listen({ port: 0, host: '127.0.0.1' }), (error: unknown) => {
        assert.ok(error instanceof ConfigError, String(error));
        assert.deepEqual(error.problems, [
          `MANAGEMENT_PORT=${port} on 127.0.0.1 cannot be listened on: EADDRINUSE`,
        ]);
        return true;
      });
    } finally {
      taken.close();
      await fastify.close();
    }
  });
});
