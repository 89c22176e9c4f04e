import type { IncomingMessage, ServerResponse } from 'node:http';
import { pathOf } from '../logging/index.js';
import { SWAGGER_PATH } from './api-routes.js';

/**
 * Headers that keep a browser from misusing the API's answers (sniffing, framing, leaking the
 * URL, caching). The Swagger UI pages are left without the strict content policy, which would
 * stop their scripts.
 */
export function securityHeaders(request: IncomingMessage, response: ServerResponse): void {
  response.setHeader('X-Content-Type-Options', 'nosniff');
  response.setHeader('X-Frame-Options', 'DENY');
  response.setHeader('Referrer-Policy', 'no-referrer');
  response.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
  response.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
  if (!pathOf(request).startsWith(`/${SWAGGER_PATH}`)) {
    response.setHeader('Content-Security-Policy', "default-src 'none'; frame-ancestors 'none'");
    response.setHeader('Cache-Control', 'no-store');
  }
}
