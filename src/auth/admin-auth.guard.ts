import {
  CanActivate,
  ExecutionContext,
  ForbiddenException,
  Inject,
  Injectable,
  UnauthorizedException,
} from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { authSettings, type AuthSettings } from './auth.settings.js';
import { bearerToken } from './bearer-token.js';

/**
 * Rule management needs the admin token (AUTH_ADMIN_TOKEN), a secret of its own, apart from the
 * webhook's. Reads stay open unless AUTH_READS_OPEN=false. Without an admin token, rules can only
 * come from the configuration.
 */
@Injectable()
export class AdminAuthGuard implements CanActivate {
  constructor(@Inject(authSettings.token) private readonly auth: AuthSettings) {}

  canActivate(context: ExecutionContext): boolean {
    const { auth } = this;
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    if (auth.disabled || (request.method === 'GET' && auth.readsOpen)) return true;
    if (!auth.adminToken) {
      throw new ForbiddenException('rule management is off: no AUTH_ADMIN_TOKEN is configured');
    }
    if (!bearerToken(request, auth.adminToken)) {
      throw new UnauthorizedException(
        'the admin token is required (Authorization: Bearer <token>)',
      );
    }
    return true;
  }
}
