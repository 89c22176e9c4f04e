import { Logger, NotFoundException } from '@nestjs/common';
import type { FastifyInstance, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import type { IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConfigError } from '../config/index.js';
import { pathOf } from '../logging/index.js';
import { frontDoor } from './front-door.js';

/** Where the management port listens (MANAGEMENT_PORT, MANAGEMENT_HOST). */
export interface ManagementAddress {
  port: number;
  host: string;
}

/** The probes' and the metrics' routes, as the router matches them (any case, a trailing slash). */
export function isManagementRoute(path: string): boolean {
  const route = path.toLowerCase().replace(/\/+$/, '');
  return route === '/metrics' || route === '/health' || route.startsWith('/health/');
}

/**
 * MANAGEMENT_PORT: the probes and the metrics on a port of their own, so that whoever may post to
 * the webhook cannot read them. It is a second server in front of the same Fastify instance: the
 * same Nest routes, hooks (the rate limits' budgets), error shape and request ids serve both
 * ports, and a request that came to the port its route does not belong to is answered 404, as an
 * unknown path is. To be installed before the other onRequest hooks: a 405 would tell that the
 * route exists. Without an address, one port serves everything. Returns the management port's
 * server, listening once Fastify is ready.
 */
export function separateManagementPort(
  fastify: FastifyInstance,
  address: ManagementAddress | undefined,
): Server | undefined {
  if (!address) return undefined;
  const arrived = new WeakSet<IncomingMessage>();
  const server = frontDoor((request, response) => {
    arrived.add(request);
    fastify.routing(request, response);
  });
  fastify.addHook('onRequest', (request: FastifyRequest, _reply, done: HookHandlerDoneFunction) => {
    // The route the router matched, so that no spelling of a path reaches the other port's route.
    const management = isManagementRoute(request.routeOptions.url ?? pathOf(request.raw));
    if (management === arrived.has(request.raw)) return done();
    done(new NotFoundException(`Cannot ${request.method} ${request.raw.url ?? '/'}`));
  });
  // Fastify is ready just before the webhook's port listens: a port in use stops the start.
  fastify.addHook('onReady', () => listen(server, address));
  // Both ports stop taking connections together (a probe on a new connection is then refused,
  // as with one port), and both have drained before Kafka's client closes.
  let closed = Promise.resolve();
  fastify.addHook('preClose', (done) => {
    closed = new Promise((resolve) => server.close(() => resolve()));
    done();
  });
  fastify.addHook('onClose', () => closed);
  return server;
}

async function listen(server: Server, { port, host }: ManagementAddress): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    // A port taken or an address not on this machine is the operator's to fix: named, no stack.
    const refused = (error: NodeJS.ErrnoException) =>
      reject(
        new ConfigError([
          `MANAGEMENT_PORT=${port} on ${host} cannot be listened on: ${error.code ?? error.message}`,
        ]),
      );
    server.once('error', refused);
    server.listen(port, host, () => {
      server.off('error', refused);
      resolve();
    });
  });
  const bound = server.address() as AddressInfo;
  const shown = bound.family === 'IPv6' ? `[${bound.address}]` : bound.address;
  new Logger('ManagementPort').log(
    `health and metrics on http://${shown}:${bound.port} (MANAGEMENT_PORT), not on PORT`,
  );
}
