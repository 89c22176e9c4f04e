import type { RetrySettings } from './kafka.settings.js';

export interface RetryClock {
  now(): number;
  sleep(ms: number): Promise<void>;
  random(): number;
}

const realClock: RetryClock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  random: () => Math.random(),
};

/**
 * The service's one backoff: the wait before retry number `retry` (0-based) doubles from
 * `initialMs` up to `maxMs`, half of it fixed and half random ("equal jitter", `random` in
 * [0, 1)), so that instances that failed together do not retry together.
 */
export function backoffDelay(
  retry: number,
  initialMs: number,
  maxMs: number,
  random = Math.random(),
): number {
  const ceiling = Math.min(maxMs, initialMs * 2 ** retry);
  return Math.round(ceiling / 2 + (random * ceiling) / 2);
}

/**
 * Exponential backoff with jitter, bounded in attempts and in time: a sender waiting on a
 * webhook answer gets one, even when Kafka is gone.
 */
export class RetryPolicy {
  constructor(
    private readonly settings: RetrySettings,
    private readonly clock: RetryClock = realClock,
  ) {}

  /** The wait before retry number `retry` (0-based), KAFKA_RETRY_INITIAL_MS doubling to _MAX_MS. */
  delayBefore(retry: number): number {
    const { initialDelayMs, maxDelayMs } = this.settings;
    return backoffDelay(retry, initialDelayMs, maxDelayMs, this.clock.random());
  }

  /**
   * Runs `operation` until it succeeds, fails with an error `isRetriable` refuses, or the
   * attempts or the deadline (counted from `started`) run out; then the last error is thrown.
   */
  async run<T>(
    operation: () => Promise<T>,
    isRetriable: (error: unknown) => boolean,
    onRetry?: (error: unknown, retry: number, delayMs: number) => void,
    started = this.clock.now(),
  ): Promise<T> {
    for (let retry = 0; ; retry++) {
      try {
        return await operation();
      } catch (error) {
        if (!isRetriable(error) || retry >= this.settings.retries) throw error;
        const delay = this.delayBefore(retry);
        if (this.clock.now() + delay - started > this.settings.deadlineMs) throw error;
        onRetry?.(error, retry, delay);
        await this.clock.sleep(delay);
      }
    }
  }
}
