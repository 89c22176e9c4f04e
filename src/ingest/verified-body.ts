import type { FastifyInstance } from 'fastify';

/**
 * Where a request carries the webhook body RequestBodyReader verified and parsed. A symbol only
 * this module holds: no header, body or other code can set it, so what the route takes as the
 * webhook's body was authenticated, never a flag anything else on the request could set.
 */
const VERIFIED_BODY = Symbol('verified webhook body');

type Carrier = Record<typeof VERIFIED_BODY, unknown>;

/**
 * Declares the slot on Fastify's requests: every request is built with it (a request that gains
 * a property later changes shape, and the code that reads requests slows down).
 */
export function declareVerifiedBody(fastify: FastifyInstance): void {
  fastify.decorateRequest(VERIFIED_BODY, undefined);
}

/** Keeps `body`, what JSON.parse made of the request's body (never undefined). */
export function keepVerifiedBody(request: object, body: unknown): void {
  (request as Carrier)[VERIFIED_BODY] = body;
}

/** The verified body of `request`, or undefined when the webhook's reader did not read it. */
export function verifiedBodyOf(request: object): { body: unknown } | undefined {
  const body = (request as Partial<Carrier>)[VERIFIED_BODY];
  return body === undefined ? undefined : { body };
}
