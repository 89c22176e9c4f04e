import type { FastifyInstance } from 'fastify';
import { RequestSlot } from './request-slot.js';

/**
 * Where a request carries the webhook body RequestBodyReader verified and parsed: what the route
 * takes as the webhook's body was authenticated, never a flag anything else on the request could
 * set.
 */
const verifiedBody = new RequestSlot<unknown>('verified webhook body');

export function declareVerifiedBody(fastify: FastifyInstance): void {
  verifiedBody.declare(fastify);
}

/** Keeps `body`, what JSON.parse made of the request's body (never undefined). */
export function keepVerifiedBody(request: object, body: unknown): void {
  verifiedBody.set(request, body);
}

/** The verified body of `request`, or undefined when the webhook's reader did not read it. */
export function verifiedBodyOf(request: object): { body: unknown } | undefined {
  const body = verifiedBody.get(request);
  return body === undefined ? undefined : { body };
}
