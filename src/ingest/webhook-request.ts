import type { FastifyRequest } from 'fastify';

/**
 * The route config (Fastify's, set with Nest's @RouteConfig) that marks a route WebhookGuard
 * reads: the HTTP edge's reader of other bodies leaves its body alone, and the request metrics
 * count it as the webhook's.
 */
export const WEBHOOK_ROUTE = { webhook: true } as const;

/** Whether the router matched the request to a webhook route (whatever case or slash). */
export function isWebhookRoute(request: FastifyRequest): boolean {
  return (request.routeOptions.config as { webhook?: boolean } | undefined)?.webhook === true;
}

/** A Content-Type without its parameters, in lower case ('' when there is none). */
export function mediaTypeOf(contentType: string | undefined): string {
  return (contentType ?? '').split(';', 1)[0]?.trim().toLowerCase() ?? '';
}
