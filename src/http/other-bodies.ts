import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isWebhookRoute, type RequestBodyReader } from '../ingest/index.js';

/**
 * Every body is left unread by Fastify, whose parsing runs before anything could authenticate
 * and skips a POST without a body; then the body of a POST to any route but a webhook route
 * (whose WebhookGuard reads its own) is read before Nest's guards and pipes, as their @Body()
 * needs it: a rule change's admin token is checked once its body (counted as unverified bytes)
 * is read.
 */
export function readOtherBodies(
  fastify: FastifyInstance,
  reader: Pick<RequestBodyReader, 'readOther'>,
): void {
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('*', (_request, _payload, done) => done(null, undefined));
  // A callback hook: the webhook's requests, which skip it, then cost no promise.
  fastify.addHook(
    'preValidation',
    (request: FastifyRequest, reply: FastifyReply, done: (error?: Error) => void) => {
      if (request.method !== 'POST' || isWebhookRoute(request)) return done();
      reader.readOther(request, reply).then(() => done(), done);
    },
  );
}
