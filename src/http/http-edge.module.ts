import { Inject, Module, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { authSettings, type AuthSettings } from '../auth/auth.settings.js';
import { RefusalDelay } from '../auth/refusal-delay.js';
import { UnverifiedBodyBudget } from '../auth/unverified-body-budget.js';
import { WebhookAuthenticator } from '../auth/webhook-authenticator.js';
import { ingestSettings, type IngestSettings } from '../ingest/index.js';
import { httpSettings, type HttpSettings } from './http.settings.js';
import { JsonBodyReader } from './json-body-reader.js';
import { RateLimiter } from './rate-limiter.js';

/**
 * The webhook's edge, inside Nest: the rate limiter, the webhook's authentication, the refusal
 * delay and the body reader are providers, and the module puts them on Fastify's hooks when
 * Nest initialises it (before the server listens): per client address first, then the body,
 * read once, authenticated, then parsed once.
 */
@Module({
  providers: [
    JsonBodyReader,
    {
      provide: WebhookAuthenticator,
      inject: [authSettings.token],
      useFactory: (auth: AuthSettings) => new WebhookAuthenticator(auth),
    },
    {
      provide: RefusalDelay,
      inject: [authSettings.token],
      useFactory: (auth: AuthSettings) => new RefusalDelay(auth.failureDelayMs),
    },
    {
      provide: UnverifiedBodyBudget,
      inject: [authSettings.token, ingestSettings.token],
      useFactory: (auth: AuthSettings, ingest: IngestSettings) =>
        new UnverifiedBodyBudget(
          auth.unverifiedBytesMax,
          Math.min(ingest.maxBodyBytes, auth.unverifiedBytesMax),
        ),
    },
    {
      provide: RateLimiter,
      inject: [httpSettings.token],
      useFactory: ({ rateLimitPerSecond, rateLimitBurst }: HttpSettings) =>
        new RateLimiter(rateLimitPerSecond, rateLimitBurst),
    },
  ],
})
export class HttpEdgeModule implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly rateLimiter: RateLimiter,
    private readonly bodyReader: JsonBodyReader,
    @Inject(httpSettings.token) private readonly settings: HttpSettings,
  ) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    if (this.settings.rateLimitPerSecond > 0) fastify.addHook('onRequest', this.rateLimiter.hook());
    this.bodyReader.install(fastify);
  }
}
