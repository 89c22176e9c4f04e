import {
  BadRequestException,
  LogLevel as NestLogLevel,
  ValidationError,
  ValidationPipe,
} from '@nestjs/common';
import { validationProblems } from './http/validation-problems.js';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule } from './app.module.js';
import { AppConfig, LOG_LEVELS, type LogLevel } from './config/app-config.js';
import { KYTOS_API_BASE } from './http/api-routes.js';
import { jsonBody } from './http/json-body.js';
import { RefusalDelay } from './auth/refusal-delay.js';
import { WebhookAuthenticator } from './auth/webhook-authenticator.js';
import { methodNotAllowed } from './http/method-not-allowed.js';
import { RateLimiter } from './http/rate-limiter.js';
import { securityHeaders } from './http/security-headers.js';
import { HttpErrorFilter } from './http/http-error.filter.js';
import { buildOpenApiDocument, serveSwaggerUi } from './http/openapi.js';
import { JsonLogger } from './logging/json-logger.js';
import { requestContext } from './logging/request-context.js';

/** Rule changes are a pattern and a description: no other POST body needs more. */
const OTHER_BODY_LIMIT = 64 * 1024;

/** Builds the whole service for main.ts, the tests and the openapi.json writer alike. */
export async function createApp(config: AppConfig): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), {
    bodyParser: false,
    // Thrown errors reach the caller (main.ts prints them) instead of ending the process here.
    abortOnError: false,
    logger:
      config.logFormat === 'json'
        ? new JsonLogger(nestLogLevels(config.logLevel))
        : nestLogLevels(config.logLevel),
  });
  app.disable('x-powered-by');
  // A webhook's answers are never cached: hashing each one for an ETag is wasted work.
  app.set('etag', false);
  // Who the client is (rate limits, logs): the socket's address unless proxies are trusted.
  app.set('trust proxy', config.ingest.trustProxyHops);
  // Built before the middleware, so that 405 answers come from the same routes it documents.
  const document = buildOpenApiDocument(app);
  app.use(requestContext());
  app.use(securityHeaders);
  app.use(methodNotAllowed(document));
  const { rateLimitPerSecond, rateLimitBurst } = config.ingest;
  if (rateLimitPerSecond > 0)
    app.use(new RateLimiter(rateLimitPerSecond, rateLimitBurst).middleware());
  app.use(
    jsonBody({
      webhookPath: `/${KYTOS_API_BASE}/events`,
      webhookAuthenticator: new WebhookAuthenticator(config.auth),
      refusalDelay: new RefusalDelay(config.auth.failureDelayMs),
      webhookLimit: config.ingest.maxBodyBytes,
      otherLimit: OTHER_BODY_LIMIT,
    }),
  );
  app.useGlobalFilters(new HttpErrorFilter());
  app.useGlobalPipes(
    new ValidationPipe({
      whitelist: true,
      forbidNonWhitelisted: true,
      exceptionFactory: toBadRequest,
    }),
  );
  serveSwaggerUi(app, document);
  return app;
}

export function nestLogLevels(level: LogLevel): NestLogLevel[] {
  return ['fatal', ...LOG_LEVELS.slice(0, LOG_LEVELS.indexOf(level) + 1)];
}

function toBadRequest(errors: ValidationError[]): BadRequestException {
  const details = validationProblems(errors);
  return new BadRequestException({
    message: details.map(({ reason }) => reason).join('; ') || 'invalid body',
    details,
  });
}
