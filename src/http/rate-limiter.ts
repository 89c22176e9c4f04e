import { HttpStatus } from '@nestjs/common';
import type { FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import { pathOf } from '../logging/index.js';
import { clientOf, RetryLaterException } from '../common/index.js';

/** Past this many clients, the ones idle longest are forgotten (about 10 MB at most). */
const MAX_CLIENTS = 100_000;
/** Clients not seen before may appear at this rate (and burst): rotating addresses buys little. */
const NEW_CLIENTS_PER_SECOND = 100;
const NEW_CLIENTS_BURST = 1_000;

interface Bucket {
  tokens: number;
  updated: number;
}

/**
 * A token bucket per client: `perSecond` requests a second on average, up to `burst` at once once
 * the bucket has filled. A client's address is its IPv4 address or its IPv6 /64 (one host holds
 * a whole /64), taken from the socket unless TRUST_PROXY_HOPS says a proxy tells it. A new client
 * starts with one second's worth, not the whole burst, and new clients are themselves rate
 * limited, so a flood of fresh addresses neither gets bursts nor evicts the limited ones quickly.
 * Checked before the body is read, so a flooding client costs little.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly newcomers: Bucket;

  constructor(
    private readonly perSecond: number,
    private readonly burst: number,
    private readonly now: () => number = () => performance.now(),
    private readonly maxClients = MAX_CLIENTS,
  ) {
    this.newcomers = { tokens: NEW_CLIENTS_BURST, updated: this.now() };
  }

  /** Seconds until the client may send again; 0 when this request may pass. */
  take(address: string): number {
    const client = clientOf(address);
    const now = this.now();
    let bucket = this.buckets.get(client);
    if (bucket) {
      this.buckets.delete(client);
      refill(bucket, now, this.perSecond, this.burst);
    } else {
      refill(this.newcomers, now, NEW_CLIENTS_PER_SECOND, NEW_CLIENTS_BURST);
      if (this.newcomers.tokens < 1) return 1;
      this.newcomers.tokens -= 1;
      bucket = { tokens: Math.min(this.burst, Math.max(1, this.perSecond)), updated: now };
      if (this.buckets.size >= this.maxClients)
        this.buckets.delete(this.buckets.keys().next().value as string);
    }
    // Re-inserted last: the map's first key is always the client idle longest.
    this.buckets.set(client, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - bucket.tokens) / this.perSecond));
  }
}

/**
 * What a client's requests are counted against: each its own buckets, so no route's flood
 * takes another's budget. Probes: a kubelet asks each pod a few times a second at most, from
 * its node's address, which may be a scraper's too; a probe must never be refused for what
 * else that address sends. Scrapes: a Prometheus comes every few seconds.
 */
export type RequestBudget = 'probe' | 'scrape' | 'api';

/** The probes' per-client budget, a request a second and more for each of a handful of probes. */
export const PROBE_LIMIT = { perSecond: 20, burst: 100 } as const;
/** /metrics' per-client budget; the scrape itself is rendered at most once a second. */
export const SCRAPE_LIMIT = { perSecond: 5, burst: 20 } as const;
/**
 * Clients remembered per budget other than the API's: the addresses that probe or scrape. New
 * addresses come at NEW_CLIENTS_PER_SECOND at most, so a kubelet that probes at least every
 * 100 s is never forgotten, however many addresses a flood rotates through.
 */
export const OPERATIONS_MAX_CLIENTS = 10_000;

/** The budget a path counts against, as the router matches it (any case, a trailing slash). */
export function budgetOf(path: string): RequestBudget {
  const route = path.toLowerCase().replace(/\/+$/, '');
  if (route.startsWith('/health/')) return 'probe';
  if (route === '/metrics') return 'scrape';
  return 'api';
}

/** A Fastify onRequest hook: runs before the body is read, so a flooding client costs little. */
export function rateLimitHook(limiters: Record<RequestBudget, RateLimiter>) {
  return (request: FastifyRequest, _reply: unknown, done: HookHandlerDoneFunction): void => {
    const wait = limiters[budgetOf(pathOf(request.raw))].take(request.ip);
    if (wait === 0) return done();
    done(new TooManyRequestsException(wait));
  };
}

function refill(bucket: Bucket, now: number, perSecond: number, burst: number): void {
  bucket.tokens = Math.min(burst, bucket.tokens + ((now - bucket.updated) / 1000) * perSecond);
  bucket.updated = now;
}

/** 429 that says when the client may send again (Retry-After). */
export class TooManyRequestsException extends RetryLaterException {
  constructor(wait: number) {
    super(
      `too many requests from this client; retry in ${wait} s`,
      wait,
      undefined,
      HttpStatus.TOO_MANY_REQUESTS,
    );
  }
}
