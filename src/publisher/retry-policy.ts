import type { RetrySettings } from '../kafka/index.js';

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
 * Exponential backoff with jitter, bounded in attempts and in time: a sender waiting on a
 * webhook answer gets one, even when Kafka is gone.
 */
export class RetryPolicy {
  constructor(
    private readonly settings: RetrySettings,
    private readonly clock: RetryClock = realClock,
  ) {}

  /** The wait before retry number `retry` (0-based): half fixed, half random ("equal jitter"). */
  delayBefore(retry: number): number {
    const { initialDelayMs, maxDelayMs } = this.settings;
    const ceiling = Math.min(maxDelayMs, initialDelayMs * 2 ** retry);
    return Math.round(ceiling / 2 + (this.clock.random() * ceiling) / 2);
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
