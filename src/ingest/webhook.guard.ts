import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { RequestBodyReader } from './request-body-reader.js';
import { isWebhookRoute } from './webhook-request.js';

/**
 * The webhook's door, on each of its routes (with @RouteConfig(WEBHOOK_ROUTE)): admits the
 * request by its headers, authenticates it, reads and verifies its body and parses it before
 * Nest's pipes see it (RequestBodyReader). Nest runs guards inside Fastify's handler, after the
 * content-type parser, which reads nothing: the body is still unread here.
 */
@Injectable()
export class WebhookGuard implements CanActivate {
  constructor(private readonly reader: RequestBodyReader) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const http = context.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    // Without the route config, the HTTP edge would have read the body as any other POST's.
    if (!isWebhookRoute(request)) {
      throw new Error('WebhookGuard guards a route without @RouteConfig(WEBHOOK_ROUTE)');
    }
    await this.reader.readWebhook(request, http.getResponse<FastifyReply>());
    return true;
  }
}
