import assert from 'node:assert/strict';
import { once } from 'node:events';
import { Agent, createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { ConnectionDrain } from './connection-drain.js';

describe('ConnectionDrain', () => {
  it('answers a request in flight when the drain began with Connection: close, so no other is sent on a connection about to close', async () => {
    const drain = new ConnectionDrain();
    const server = drain.install(
      createServer(
        drain.listener((_request, response) => setTimeout(() => response.end('ok'), 300)),
      ),
    );
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const answered = new Promise<string | undefined>((resolve, reject) => {
      const req = request({ port, host: '127.0.0.1', agent }, (response) => {
        response.resume();
        response.on('end', () => resolve(response.headers.connection));
      });
      req.on('error', reject);
      req.end();
    });
    await once(server, 'request');
    const closed = once(server, 'close');
    server.close();
    assert.equal(await answered, 'close');
    await closed;
    agent.destroy();
  });
});
