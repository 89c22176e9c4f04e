import {
  BadRequestException,
  ConsoleLogger,
  LogLevel as NestLogLevel,
  ValidationError,
  ValidationPipe,
} from '@nestjs/common';
import { validationProblems } from './ingest/index.js';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply } from 'fastify';
import { AppModule } from './app.module.js';
import type { AppConfig } from './app.settings.js';
import { LOG_LEVELS, type LogLevel } from './logging/index.js';
import {
  buildOpenApiDocument,
  frontDoor,
  HttpErrorFilter,
  methodNotAllowed,
  separateManagementPort,
  serveSwaggerUi,
} from './http/index.js';

/** Builds the whole service for main.ts, the tests and the openapi.json writer alike. */
export async function createApp(config: AppConfig): Promise<NestFastifyApplication> {
  const errorFilter = new HttpErrorFilter();
  const adapter = new FastifyAdapter({
    // Who the client is (rate limits): the socket's address unless proxies are trusted.
    trustProxy: (_address: string, hop: number) => hop < config.http.trustProxyHops,
    // The paths Kytos-side tooling may spell in another case or with a trailing slash.
    routerOptions: { caseSensitive: false, ignoreTrailingSlash: true },
    serverFactory: frontDoor,
    // At shutdown every request that reaches an open connection is answered (ConnectionDrain):
    // Fastify neither destroys idle connections nor answers 503 meanwhile.
    forceCloseConnections: false,
    return503OnClosing: false,
    // The router's own refusals (a malformed URL, an over-long parameter) in the one error shape.
    frameworkErrors: (error: Error, _request: unknown, reply: FastifyReply) =>
      errorFilter.answer(error, reply),
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config), adapter, {
    bodyParser: false,
    // Thrown errors reach the caller (main.ts prints them) instead of ending the process here.
    abortOnError: false,
    logger:
      config.logging.format === 'json'
        ? new ConsoleLogger({
            json: true,
            logLevels: nestLogLevels(config.logging.level),
            flattenParams: true,
          })
        : nestLogLevels(config.logging.level),
  });
  const fastify = app.getHttpAdapter().getInstance();
  // Built before the hooks, so that 405 answers come from the same routes it documents.
  const document = buildOpenApiDocument(app);
  // The onRequest hooks, in order: the management port's 404, the 405, then the rate limiter's,
  // which HttpEdgeModule adds when Nest initialises.
  separateManagementPort(fastify, config.http.management);
  fastify.addHook('onRequest', methodNotAllowed(document));
  app.useGlobalFilters(errorFilter);
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
