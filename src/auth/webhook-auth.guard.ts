import { CanActivate, ExecutionContext, Injectable, UnauthorizedException } from '@nestjs/common';
import type { JsonRequest } from '../http/json-body.js';

/**
 * Only Kytos may post events. The check itself runs in the body reader (json-body.ts), before
 * the body is read; this guard makes sure no request reaches the webhook's handler any other
 * way (should the body reader ever not recognise a route as the webhook's).
 */
@Injectable()
export class WebhookAuthGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    if (context.switchToHttp().getRequest<JsonRequest>().webhook === true) return true;
    throw new UnauthorizedException('this request did not pass the webhook authentication');
  }
}
