import { Inject, Module, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { authSettings, type AuthSettings } from '../auth/auth.settings.js';
import { RefusalDelay } from '../auth/refusal-delay.js';
import { UnverifiedBodyBudget } from '../auth/unverified-body-budget.js';
import { WebhookAuthenticator } from '../auth/webhook-authenticator.js';
import { ingestSettings, type IngestSettings } from '../ingest/index.js';
import { EventMetrics } from '../metrics/index.js';
import { httpSettings, type HttpSettings } from './http.settings.js';
import { JsonBodyReader } from './json-body-reader.js';
import {
  OPERATIONS_MAX_CLIENTS,
  PROBE_LIMIT,
  RateLimiter,
  rateLimitHook,
  type RequestBudget,
  SCRAPE_LIMIT,
} from './rate-limiter.js';
import { RequestMetrics } from './request-metrics.js';

/** The rate limiters, one per budget a request may count against. */
const RATE_LIMITERS = Symbol('RATE_LIMITERS');

function operationsLimiter(limit: { perSecond: number; burst: number }): RateLimiter {
  return new RateLimiter(
    limit.perSecond,
    limit.burst,
    () => performance.now(),
    OPERATIONS_MAX_CLIENTS,
  );
}

/**
 * The webhook's edge, inside Nest: the request metrics, the rate limiter, the webhook's
 * authentication, the refusal delay and the body reader are providers, and the module puts them
 * on Fastify's hooks when Nest initialises it (before the server listens): per client address and
 * budget (probes, scrapes, the rest) first, then the body, read once, authenticated, then parsed
 * once; every answer, refusals included, is counted when it is sent.
 */
@Module({
  providers: [
    JsonBodyReader,
    RequestMetrics,
    {
      provide: WebhookAuthenticator,
      inject: [authSettings.token, EventMetrics],
      useFactory: (auth: AuthSettings, metrics: EventMetrics) =>
        new WebhookAuthenticator(auth, metrics),
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
      provide: RATE_LIMITERS,
      inject: [httpSettings.token],
      useFactory: ({
        rateLimitPerSecond,
        rateLimitBurst,
      }: HttpSettings): Record<RequestBudget, RateLimiter> => ({
        api: new RateLimiter(rateLimitPerSecond, rateLimitBurst),
        probe: operationsLimiter(PROBE_LIMIT),
        scrape: operationsLimiter(SCRAPE_LIMIT),
      }),
    },
  ],
})
export class HttpEdgeModule implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    @Inject(RATE_LIMITERS) private readonly rateLimiters: Record<RequestBudget, RateLimiter>,
    private readonly bodyReader: JsonBodyReader,
    private readonly requestMetrics: RequestMetrics,
    @Inject(httpSettings.token) private readonly settings: HttpSettings,
  ) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    this.requestMetrics.install(fastify);
    if (this.settings.rateLimitPerSecond > 0) {
      fastify.addHook('onRequest', rateLimitHook(this.rateLimiters));
    }
    this.bodyReader.install(fastify);
  }
}
