import { Module, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { AuthModule, authSettings, type AuthSettings } from '../auth/index.js';
import { ingestSettings, type IngestSettings } from './ingest.settings.js';
import { RequestBodyReader } from './request-body-reader.js';
import { UnverifiedBodyBudget } from './unverified-body-budget.js';
import { WebhookGuard } from './webhook.guard.js';

/**
 * The webhook's request, from its headers to its parsed body: the one RequestBodyReader (its
 * budgets are the whole service's), for WebhookGuard on the webhook's routes and for the HTTP
 * edge's reading of other bodies. It puts the reader's Fastify hooks in place when Nest
 * initialises it, before the server listens.
 */
@Module({
  imports: [AuthModule],
  providers: [
    RequestBodyReader,
    WebhookGuard,
    {
      provide: UnverifiedBodyBudget,
      inject: [authSettings.token, ingestSettings.token],
      useFactory: (auth: AuthSettings, ingest: IngestSettings) =>
        new UnverifiedBodyBudget(
          auth.unverifiedBytesMax,
          Math.min(ingest.maxBodyBytes, auth.unverifiedBytesMax),
        ),
    },
  ],
  exports: [RequestBodyReader, WebhookGuard],
})
export class WebhookRequestModule implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly reader: RequestBodyReader,
  ) {}

  onModuleInit(): void {
    this.reader.install(this.adapterHost.httpAdapter.getInstance<FastifyInstance>());
  }
}
