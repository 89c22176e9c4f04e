import type { EventMetrics } from '../metrics/index.js';
import { BackpressureError } from './backpressure-error.js';
import type { BatchSettings } from './kafka.settings.js';
import { recordBytesWithin, type OutgoingRecord } from './outgoing-record.js';
import type { Refusal } from './records-refused.js';
import { SenderTicket, type QueuedRecord } from './sender-ticket.js';

export class QueueFullError extends BackpressureError {}

/** How long a sender waits: until Kafka answers, or until a deadline. */
export interface SendOptions {
  /**
   * No retry starts later than KAFKA_RETRY_DEADLINE_MS after the records were handed over, and
   * the sender is answered (503) by KAFKA_REQUEST_TIMEOUT_MS after that at the latest. Without
   * it, the records are retried until Kafka takes or refuses them, or `signal` aborts.
   */
  bounded: boolean;
  signal?: AbortSignal;
}

/** What became of a batch's records; those in neither map were acknowledged. */
export interface BatchOutcome {
  /** Refused by Kafka for good, each record alone. */
  refusals: ReadonlyMap<QueuedRecord, Refusal>;
  /** Given up on (their sender's retries, deadline or signal), with the failure. */
  failures: ReadonlyMap<QueuedRecord, unknown>;
}

/** The next stage: takes one batch at a time, and answers once it is done with every record. */
export interface BatchDelivery {
  deliver(batch: QueuedRecord[]): Promise<BatchOutcome>;
}

/**
 * The first stage (docs/architecture.md, The producer core): every sender's records, in the order
 * they came, in batches within PUBLISH_BATCH_MAX_*, one batch at a time, paced by
 * PUBLISH_LINGER_MS while several senders are at work; bounded senders past PUBLISH_MAX_QUEUED_*
 * are refused. Answers each sender once the next stage is done with all of its records.
 */
export class BatchingQueue {
  private pending: QueuedRecord[] = [];
  private pendingBytes = 0;
  /** Records handed over and not yet settled, bounded senders' only (see `send`). */
  private queuedEvents = 0;
  private queuedBytes = 0;
  private busy = false;
  /** A batch is with the next stage (until its senders are answered). */
  private sending = false;
  private lastSentAt = -Infinity;
  private arrivedWhileBusy = false;

  constructor(
    private readonly next: BatchDelivery,
    private readonly limits: BatchSettings,
    /** KAFKA_RETRY_DEADLINE_MS: a bounded sender's records are not retried after it. */
    private readonly retryDeadlineMs: number,
    /** KAFKA_REQUEST_TIMEOUT_MS: a bounded sender is answered by its deadline plus this. */
    private readonly requestTimeoutMs: number,
    private readonly metrics: EventMetrics,
  ) {}

  /**
   * Resolves once Kafka acknowledged or refused for good every one of `records`, with the
   * refusals (empty when all were acknowledged). Rejects with a KafkaFailure when they could not
   * be delivered. A bounded sender gets QueueFullError at once when PUBLISH_MAX_QUEUED_* are
   * reached; an unbounded one (the spool forwarder, one batch at a time) is never refused.
   */
  send<R extends OutgoingRecord>(
    records: readonly R[],
    options: SendOptions,
  ): Promise<ReadonlyMap<R, Refusal>> {
    if (records.length === 0) return Promise.resolve(new Map());
    const bytes = records.reduce((sum, record) => sum + record.size, 0);
    if (options.bounded) {
      const { maxQueuedEvents, maxQueuedBytes } = this.limits;
      if (
        this.queuedEvents + records.length > maxQueuedEvents ||
        this.queuedBytes + bytes > maxQueuedBytes
      ) {
        throw new QueueFullError(
          `the publish queue is full (${this.queuedEvents} events, ${this.queuedBytes} bytes waiting for Kafka)`,
        );
      }
      this.queuedEvents += records.length;
      this.queuedBytes += bytes;
    }
    return new Promise((resolve, reject) => {
      const ticket = new SenderTicket<R>(
        records.length,
        options.bounded ? Date.now() + this.retryDeadlineMs : undefined,
        this.retryDeadlineMs + this.requestTimeoutMs,
        options.signal,
        resolve,
        reject,
      );
      for (const record of records)
        this.pending.push({ record, ticket: ticket as unknown as SenderTicket });
      this.pendingBytes += bytes;
      if (this.sending) this.arrivedWhileBusy = true;
      if (!this.busy) void this.drain();
    });
  }

  /** Records handed over by bounded senders and not yet settled. */
  get depth(): number {
    return this.queuedEvents;
  }

  private async drain(): Promise<void> {
    this.busy = true;
    while (this.pending.length > 0) {
      await this.pace();
      const batch = this.takeBatch();
      const sendable = batch.filter(({ ticket }) => ticket.open);
      if (sendable.length > 0) {
        this.lastSentAt = performance.now();
        this.arrivedWhileBusy = false;
        this.sending = true;
        await this.deliver(sendable);
      }
      // A sender answered already (its time ran out, or it stopped waiting) has nothing sent.
      for (const { record, ticket } of batch) {
        if (ticket.retryUntil === undefined) continue;
        this.queuedEvents--;
        this.queuedBytes -= record.size;
      }
    }
    this.busy = false;
  }

  /** While several senders are at work, waits out the linger unless a full batch waits. */
  private async pace(): Promise<void> {
    if (!this.arrivedWhileBusy || this.hasFullBatch()) return;
    const wait = this.lastSentAt + this.limits.lingerMs - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  }

  private hasFullBatch(): boolean {
    return (
      this.pending.length >= this.limits.maxEvents || this.pendingBytes >= this.limits.maxBytes
    );
  }

  /** From the head, in order, up to the batch limits (at least one record). */
  private takeBatch(): QueuedRecord[] {
    const maxBytes = recordBytesWithin(this.limits.maxBytes);
    let count = 0;
    let bytes = 0;
    while (count < this.pending.length && count < this.limits.maxEvents) {
      const { size } = this.pending[count].record;
      if (count > 0 && bytes + size > maxBytes) break;
      bytes += size;
      count++;
    }
    this.pendingBytes -= bytes;
    return this.pending.splice(0, count);
  }

  private async deliver(batch: QueuedRecord[]): Promise<void> {
    const stopTimer = this.metrics.publishSeconds.startTimer();
    const { refusals, failures } = await this.next.deliver(batch);
    // Before any sender hears back: one who sends again at once is one sender at work, not several.
    this.sending = false;
    let acknowledged = 0;
    for (const entry of batch) {
      const refusal = refusals.get(entry);
      if (refusal) entry.ticket.refuse(entry.record, refusal);
      else if (failures.has(entry)) entry.ticket.fail(failures.get(entry));
      else {
        acknowledged++;
        this.metrics.byName.count('published', entry.record.name);
        entry.ticket.acknowledge();
      }
    }
    this.metrics.published.inc(acknowledged);
    stopTimer({ outcome: acknowledged === batch.length ? 'acknowledged' : 'failed' });
  }
}
