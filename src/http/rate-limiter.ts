import { HttpException, HttpStatus } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';

/** Past this many clients, the ones idle longest are forgotten: a flood of addresses cannot grow memory. */
const MAX_CLIENTS = 10_000;

interface Bucket {
  tokens: number;
  updated: number;
}

/**
 * A token bucket per client address: `perSecond` requests a second on average, `burst` at once.
 * Checked before the body is read, so a flooding client costs little.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly perSecond: number,
    private readonly burst: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Seconds until the client may send again; 0 when this request may pass. */
  take(client: string): number {
    const now = this.now();
    let bucket = this.buckets.get(client);
    if (bucket) {
      this.buckets.delete(client);
      bucket.tokens = Math.min(
        this.burst,
        bucket.tokens + ((now - bucket.updated) / 1000) * this.perSecond,
      );
      bucket.updated = now;
    } else {
      bucket = { tokens: this.burst, updated: now };
      if (this.buckets.size >= MAX_CLIENTS)
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

  middleware() {
    return (request: Request, response: Response, next: NextFunction): void => {
      // Probes and scrapes are never refused: a limited kubelet would restart a healthy pod.
      if (request.path.startsWith('/health/') || request.path === '/metrics') return next();
      const wait = this.take(request.socket.remoteAddress ?? 'unknown');
      if (wait === 0) return next();
      response.setHeader('Retry-After', String(wait));
      next(
        new HttpException(
          `too many requests from this client; retry in ${wait} s`,
          HttpStatus.TOO_MANY_REQUESTS,
        ),
      );
    };
  }
}
