import { Inject, Module, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { RequestBodyReader, WebhookRequestModule } from '../ingest/index.js';
import { httpSettings, type HttpSettings } from './http.settings.js';
import { readOtherBodies } from './other-bodies.js';
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
 * What every route shares, inside Nest: the request metrics and the rate limiter are providers,
 * and the module puts them on Fastify's hooks when Nest initialises it (before the server
 * listens): per client address and budget (probes, scrapes, the rest) first; then the body of a
 * POST to any route but the webhook's (whose WebhookGuard reads its own); every answer, refusals
 * included, is counted when it is sent.
 */
@Module({
  imports: [WebhookRequestModule],
  providers: [
    RequestMetrics,
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
    private readonly bodyReader: RequestBodyReader,
    private readonly requestMetrics: RequestMetrics,
    @Inject(httpSettings.token) private readonly settings: HttpSettings,
  ) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    this.requestMetrics.install(fastify);
    if (this.settings.rateLimitPerSecond > 0) {
      fastify.addHook('onRequest', rateLimitHook(this.rateLimiters));
    }
    readOtherBodies(fastify, this.bodyReader);
  }
}
