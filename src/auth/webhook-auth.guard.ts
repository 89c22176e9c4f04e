import { CanActivate, ExecutionContext, Injectable, UnauthorizedException } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import type { JsonRequest } from '../http/json-body.js';
import { bearerToken } from './bearer-token.js';
import { checkWebhookSignature, SIGNATURE_HEADER, TIMESTAMP_HEADER } from './webhook-signature.js';

/**
 * Only Kytos may post events: a valid HMAC signature (AUTH_WEBHOOK_SECRET) or the bearer token
 * (AUTH_WEBHOOK_TOKEN). Refused requests get 401 and publish nothing.
 */
@Injectable()
export class WebhookAuthGuard implements CanActivate {
  constructor(private readonly config: AppConfig) {}

  canActivate(context: ExecutionContext): boolean {
    const { auth } = this.config;
    if (auth.disabled) return true;
    const request = context.switchToHttp().getRequest<JsonRequest>();
    if (auth.webhookToken && bearerToken(request, auth.webhookToken)) return true;
    if (auth.webhookSecret) {
      const problem = checkWebhookSignature(
        auth.webhookSecret,
        {
          timestamp: request.header(TIMESTAMP_HEADER),
          signature: request.header(SIGNATURE_HEADER),
        },
        request.rawBody ?? Buffer.alloc(0),
        Math.floor(Date.now() / 1000),
        auth.maxSkewSeconds,
      );
      if (problem === undefined) return true;
      throw new UnauthorizedException(`webhook signature refused: ${problem}`);
    }
    throw new UnauthorizedException(
      'a valid bearer token is required (Authorization: Bearer <token>)',
    );
  }
}
