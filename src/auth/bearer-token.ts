import type { FastifyRequest } from 'fastify';
import { sameSecret } from './webhook-signature.js';

/** Whether an Authorization header value is `Bearer <expected>`, compared in constant time. */
export function bearerTokenMatches(authorization: string | undefined, expected: string): boolean {
  const match = /^Bearer (.+)$/i.exec(authorization ?? '');
  return match !== null && sameSecret(expected, match[1] ?? '');
}

/** Whether the request carries `Authorization: Bearer <expected>`. */
export function bearerToken(request: FastifyRequest, expected: string): boolean {
  return bearerTokenMatches(request.headers.authorization, expected);
}
