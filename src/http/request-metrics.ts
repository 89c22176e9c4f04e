import { Injectable } from '@nestjs/common';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Counter, Histogram } from 'prom-client';
import { ASYNCAPI_PAGE_PATH } from '../contract/index.js';
import { isWebhookRoute } from '../ingest/index.js';
import { EventMetrics } from '../metrics/index.js';
import { SWAGGER_PATH } from './api-routes.js';

/**
 * What a request is counted under: the route the router matched, never the path asked for, so
 * however many paths a client invents, the series stay this few.
 */
export type RequestRoute =
  'webhook' | 'forwarders' | 'filters' | 'health' | 'metrics' | 'contract' | 'docs' | 'other';

/** Seconds: a probe answers in about a millisecond, a webhook waiting on Kafka in seconds. */
export const REQUEST_DURATION_BUCKETS = [
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30,
];

/** Past the last status code HTTP defines: anything else counts as this. */
const LAST_STATUS = 599;

/** The route of a request from its matched route's template; 'other' when none matched. */
export function routeOf(request: FastifyRequest): RequestRoute {
  if (isWebhookRoute(request)) return 'webhook';
  const template = request.routeOptions.url;
  if (template === undefined) return 'other';
  if (template.startsWith('/health/') || template === '/health') return 'health';
  if (template === '/metrics') return 'metrics';
  if (template.endsWith('/filters') || template.includes('/filters/')) return 'filters';
  // The Kytos NApps' reports (ForwardersModule).
  if (template.includes('/forwarders/')) return 'forwarders';
  // The AsyncAPI document and its page share a prefix.
  if (template.startsWith(`/${ASYNCAPI_PAGE_PATH}`)) return 'contract';
  if (template.startsWith(`/${SWAGGER_PATH}`)) return 'docs';
  return 'other';
}

/**
 * Every answer by route and status, and how long it took, counted in Fastify's onResponse hook
 * (the rate limiter's 429, the body reader's 401 and 413 included). The labelled children are
 * bound once per route and status, so a request creates no label objects.
 */
@Injectable()
export class RequestMetrics {
  private readonly requests: Counter<'route' | 'code'>;
  private readonly durations: Histogram<'route'>;
  private readonly counted = new Map<RequestRoute, Counter.Internal[]>();
  private readonly timed = new Map<RequestRoute, Histogram.Internal<'route'>>();

  constructor(metrics: EventMetrics) {
    this.requests = metrics.counter({
      name: 'kafka_events_http_requests_total',
      help: 'HTTP requests answered, by route (the matched route, a fixed set) and status code.',
      labelNames: ['route', 'code'] as const,
    });
    this.durations = metrics.histogram({
      name: 'kafka_events_http_request_duration_seconds',
      help: 'From a request’s arrival to its answer, by route (the matched route, a fixed set).',
      labelNames: ['route'] as const,
      buckets: REQUEST_DURATION_BUCKETS,
    });
  }

  install(fastify: FastifyInstance): void {
    fastify.addHook('onResponse', (request, reply, done) => {
      this.count(routeOf(request), reply);
      done();
    });
  }

  private count(route: RequestRoute, reply: FastifyReply): void {
    const code = Math.min(Math.max(reply.statusCode, 0), LAST_STATUS);
    let byCode = this.counted.get(route);
    if (!byCode) this.counted.set(route, (byCode = []));
    let counter = byCode[code];
    if (!counter) byCode[code] = counter = this.requests.labels(route, String(code));
    counter.inc();
    let histogram = this.timed.get(route);
    if (!histogram) this.timed.set(route, (histogram = this.durations.labels(route)));
    histogram.observe(reply.elapsedTime / 1000);
  }
}
