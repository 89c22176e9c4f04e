import { Logger } from '@nestjs/common';
import type { EventMetrics } from '../metrics/index.js';
import { KafkaFailure } from './kafka-failure.js';
import type { RetrySettings } from './kafka.settings.js';
import { PartlyWrittenError, type ProduceRequest } from './produce-request.js';
import { RetryPolicy } from './retry-policy.js';
import type { QueuedRecord } from './sender-ticket.js';

/** Records Kafka refused for good, and why: what was not written of the last request. */
export interface Refused {
  failure: KafkaFailure;
  unwritten: QueuedRecord[];
}

/**
 * The retry stage: one request, sent again after each transient failure (RetryPolicy's backoff)
 * before anything else, each sender's records kept in it only while that sender's retries,
 * deadline and signal allow.
 */
export class DeadlineRetries {
  private readonly logger = new Logger('KafkaProducer');

  constructor(
    private readonly produce: ProduceRequest,
    private readonly settings: RetrySettings,
    private readonly metrics: EventMetrics,
    private readonly retry = new RetryPolicy(settings),
  ) {}

  /**
   * Sends `entries` in one request until Kafka takes them (undefined) or refuses them for good
   * (that failure, and the records it did not write). Records of the partitions Kafka wrote in a
   * failed request are acknowledged and not sent again. A sender whose retries or deadline ran
   * out, or who stopped waiting, is given up on: its records leave the request (into `failures`)
   * and the others are tried on.
   */
  async send(
    entries: QueuedRecord[],
    failures: Map<QueuedRecord, unknown>,
  ): Promise<Refused | undefined> {
    let trying = entries;
    for (let retry = 0; trying.length > 0; retry++) {
      try {
        await this.produce(trying.map(({ record }) => record));
        return undefined;
      } catch (error) {
        let answer = error;
        if (error instanceof PartlyWrittenError) {
          const { written } = error;
          trying = trying.filter(({ record }) => !written.has(record));
          answer = error.cause;
        }
        if (trying.length === 0) return undefined;
        const failure = KafkaFailure.from(answer);
        if (failure.kind === 'rejected') return { failure, unwritten: trying };
        // Only a bounded sender is answered at once when Kafka refuses this service (or this
        // service failed): an unbounded one keeps its records until that is mended.
        const transient = failure.kind === 'unavailable';
        const delayMs = this.retry.delayBefore(Math.min(retry, 10));
        const retryAt = Date.now() + delayMs;
        for (const entry of trying) {
          const { ticket } = entry;
          const given = ticket.retryUntil !== undefined;
          if (
            !ticket.open ||
            ticket.signal?.aborted ||
            (given &&
              (!transient || retry >= this.settings.retries || retryAt > (ticket.retryUntil ?? 0)))
          ) {
            failures.set(entry, failure);
          }
        }
        trying = trying.filter((entry) => !failures.has(entry));
        if (trying.length === 0) {
          this.logger.error(
            `publishing ${entries.length} event(s) failed for good: ${failure.reason}`,
          );
          return undefined;
        }
        this.metrics.retries.inc();
        this.logger.warn(
          `publishing ${trying.length} event(s) failed (${failure.reason}); retry ${retry + 1} in ${delayMs} ms`,
        );
        await this.waitOrAbort(delayMs, trying);
      }
    }
    return undefined;
  }

  /** The backoff, cut short when every sender still waiting stopped waiting. */
  private async waitOrAbort(ms: number, entries: QueuedRecord[]): Promise<void> {
    const signals = [...new Set(entries.map(({ ticket }) => ticket.signal))];
    if (signals.some((signal) => signal === undefined)) {
      await new Promise((resolve) => setTimeout(resolve, ms));
      return;
    }
    let waiting = signals.length;
    let wake = (): void => undefined;
    const stoppedWaiting = (): void => {
      if (--waiting === 0) wake();
    };
    for (const signal of signals as AbortSignal[]) {
      if (signal.aborted) waiting--;
      else signal.addEventListener('abort', stoppedWaiting, { once: true });
    }
    try {
      if (waiting === 0) return;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, ms);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    } finally {
      for (const signal of signals as AbortSignal[]) {
        signal.removeEventListener('abort', stoppedWaiting);
      }
    }
  }
}
