import type { Request } from 'express';
import { sameSecret } from './webhook-signature.js';

/** Whether the request carries `Authorization: Bearer <expected>`, compared in constant time. */
export function bearerToken(request: Request, expected: string): boolean {
  const match = /^Bearer (.+)$/i.exec(request.header('authorization') ?? '');
  return match !== null && sameSecret(expected, match[1] ?? '');
}
