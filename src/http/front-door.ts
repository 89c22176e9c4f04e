import { createServer, type RequestListener, type Server } from 'node:http';
import { requestContext } from '../logging/index.js';
import { ConnectionDrain } from './connection-drain.js';
import { securityHeaders } from './security-headers.js';

/**
 * An HTTP server in front of Fastify's handler: every answer, Fastify's own refusals included,
 * carries the request id and the security headers, each failed request gets its log line, and
 * the server drains gently at shutdown. The webhook's port and the management port each have one.
 */
export function frontDoor(handler: RequestListener): Server {
  const withContext = requestContext();
  const drain = new ConnectionDrain();
  return drain.install(
    createServer(
      drain.listener((request, response) =>
        withContext(request, response, () => {
          securityHeaders(request, response);
          handler(request, response);
        }),
      ),
    ),
  );
}
