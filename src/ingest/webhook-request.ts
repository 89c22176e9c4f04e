import type { FastifyRequest } from 'fastify';

/**
 * The route config (Fastify's, set with Nest's @RouteConfig) that marks the webhook's route:
 * the HTTP edge authenticates its requests before it reads their body, and parses the body
 * with exact numbers.
 */
export const WEBHOOK_ROUTE = { webhook: true } as const;

/** A request as the HTTP edge leaves it: `webhook` once a webhook request was admitted. */
export type WebhookRequest = FastifyRequest & { webhook?: boolean };

/** Whether the router matched the request to the webhook's route (whatever case or slash). */
export function isWebhookRoute(request: FastifyRequest): boolean {
  return (request.routeOptions.config as { webhook?: boolean } | undefined)?.webhook === true;
}

/** A Content-Type without its parameters, in lower case ('' when there is none). */
export function mediaTypeOf(contentType: string | undefined): string {
  return (contentType ?? '').split(';', 1)[0]?.trim().toLowerCase() ?? '';
}
