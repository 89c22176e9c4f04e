import { CanActivate, ExecutionContext, Injectable, UnauthorizedException } from '@nestjs/common';
import type { WebhookRequest } from './webhook-request.js';

/**
 * For a route other than the webhook's that takes the webhook's authentication (its
 * @RouteConfig(WEBHOOK_ROUTE)): only a request the HTTP edge admitted reaches the handler, should
 * the edge ever not recognise the route as one to authenticate.
 */
@Injectable()
export class WebhookAdmittedGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    if (context.switchToHttp().getRequest<WebhookRequest>().webhook !== true) {
      throw new UnauthorizedException('this request did not pass the webhook authentication');
    }
    return true;
  }
}
