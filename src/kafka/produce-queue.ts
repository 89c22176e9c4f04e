import { Logger } from '@nestjs/common';
import type { EventMetrics } from '../metrics/index.js';
import { BackpressureError } from './backpressure-error.js';
import { KafkaFailure } from './kafka-failure.js';
import type { BatchSettings, RetrySettings } from './kafka.settings.js';
import { recordBytesWithin, type OutgoingRecord } from './outgoing-record.js';
import type { Refusal } from './records-refused.js';
import { RetryPolicy } from './retry-policy.js';

export class QueueFullError extends BackpressureError {}

/**
 * A failed produce request of which Kafka wrote some partitions (it writes each partition's
 * records whole or not at all): `written` are in the topic, the others are not, for `cause`.
 */
export class PartlyWrittenError extends Error {
  constructor(
    readonly written: ReadonlySet<OutgoingRecord>,
    override readonly cause: unknown,
  ) {
    super(`${written.size} record(s) written, the others not: ${String(cause)}`);
    this.name = 'PartlyWrittenError';
  }
}

/** What the queue asks of Kafka: one produce request, and which topics to refuse up front. */
export interface ProduceRequests {
  /**
   * One produce request holding exactly `records`; throws what Kafka answered otherwise, as a
   * PartlyWrittenError when Kafka's answer tells which records it wrote all the same.
   */
  produce(records: readonly OutgoingRecord[]): Promise<void>;
  /** Why records of `topic` are refused without asking Kafka (it is missing); else undefined. */
  refusedTopic(topic: string): string | undefined;
  /** Kafka refused `record`, alone, for good. */
  refused(record: OutgoingRecord, failure: KafkaFailure): void;
}

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

/**
 * One sender's records: settled once every record is acknowledged or refused (the refusals are
 * its answer), or at the first failure; a bounded one also when its time is up (a network that
 * swallows packets holds a produce request longer than any one timeout says), and any one when
 * its signal aborts. Settling lets go of the signal: the spool forwarder passes one signal for
 * its whole life, and a listener left on it would keep every batch it ever sent in memory.
 */
class Ticket<R extends OutgoingRecord = OutgoingRecord> {
  private remaining: number;
  private settled = false;
  private readonly refusals = new Map<R, Refusal>();
  private readonly timer?: NodeJS.Timeout;
  private readonly onAbort = (): void => this.fail(this.signal?.reason);

  constructor(
    count: number,
    /** No retry of its records starts after this (Date.now() time); undefined: unbounded. */
    readonly retryUntil: number | undefined,
    answerWithinMs: number,
    readonly signal: AbortSignal | undefined,
    private readonly resolve: (refusals: ReadonlyMap<R, Refusal>) => void,
    private readonly reject: (error: unknown) => void,
  ) {
    this.remaining = count;
    signal?.addEventListener('abort', this.onAbort, { once: true });
    if (retryUntil === undefined) return;
    this.timer = setTimeout(
      () =>
        this.fail(
          KafkaFailure.timedOut(
            `Kafka did not acknowledge within ${answerWithinMs} ms; the events may still be written, so a retry may duplicate them`,
          ),
        ),
      answerWithinMs,
    );
  }

  get open(): boolean {
    return !this.settled;
  }

  acknowledge(): void {
    if (--this.remaining === 0) this.finish();
  }

  refuse(record: R, refusal: Refusal): void {
    this.refusals.set(record, refusal);
    this.acknowledge();
  }

  fail(error: unknown): void {
    if (this.settle()) this.reject(error);
  }

  private finish(): void {
    if (this.settle()) this.resolve(this.refusals);
  }

  /** False when it was settled already. */
  private settle(): boolean {
    if (this.settled) return false;
    this.settled = true;
    clearTimeout(this.timer);
    this.signal?.removeEventListener('abort', this.onAbort);
    return true;
  }
}

interface Entry {
  record: OutgoingRecord;
  ticket: Ticket;
}

/**
 * The producer's one batcher: the records of every sender, in the order they came, go to Kafka
 * in batches bounded by count and bytes (as Kafka counts them), one produce request at a time.
 *
 * One at a time, and a failed batch retried before any other is sent: so a key's records keep
 * their order however a request fails, and nothing waits at kafkajs' broker lock when an
 * idempotent producer rolls its sequence numbers back after a failure (producer/sendMessages.js):
 * a request waiting there would take the rolled-back numbers and, were the failed one written
 * after all, be taken by the broker for a duplicate, acknowledged and never written.
 *
 * While one sender is at work a batch goes at once; while several are (records arrived while a
 * batch was in flight), at most one batch per `lingerMs`, so that a steady stream of single
 * events makes fewer, fuller produce requests.
 *
 * A failed request is sent again without the records of the partitions Kafka wrote (it answers
 * per partition): none is written twice, and no key goes back. What Kafka refuses for good is
 * halved, each half sent alone, until each refused record stands alone: the others are
 * acknowledged, and only the refused record's sender hears of it (after its dead letter, when
 * `dlqTopic` is set, went to Kafka).
 */
export class ProduceQueue {
  private readonly logger = new Logger('KafkaProducer');
  private pending: Entry[] = [];
  private pendingBytes = 0;
  /** Records handed over and not yet settled, bounded senders' only (see `enqueue`). */
  private queuedEvents = 0;
  private queuedBytes = 0;
  private busy = false;
  /** A batch is with Kafka (from its first attempt until its senders are answered). */
  private sending = false;
  private lastSentAt = -Infinity;
  private arrivedWhileBusy = false;
  private readonly retry: RetryPolicy;

  constructor(
    private readonly kafka: ProduceRequests,
    private readonly limits: BatchSettings,
    private readonly retrySettings: RetrySettings,
    /** KAFKA_REQUEST_TIMEOUT_MS: a bounded sender is answered by its deadline plus this. */
    private readonly requestTimeoutMs: number,
    private readonly dlqTopic: string | undefined,
    private readonly metrics: EventMetrics,
    retry?: RetryPolicy,
  ) {
    this.retry = retry ?? new RetryPolicy(retrySettings);
  }

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
      const { deadlineMs } = this.retrySettings;
      const ticket = new Ticket<R>(
        records.length,
        options.bounded ? Date.now() + deadlineMs : undefined,
        deadlineMs + this.requestTimeoutMs,
        options.signal,
        resolve,
        reject,
      );
      for (const record of records)
        this.pending.push({ record, ticket: ticket as unknown as Ticket });
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
  private takeBatch(): Entry[] {
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

  /** Sends one batch until each of its records is acknowledged, refused or given up on. */
  private async deliver(batch: Entry[]): Promise<void> {
    const stopTimer = this.metrics.publishSeconds.startTimer();
    const startedAt = Date.now();
    const refusals = new Map<Entry, Refusal>();
    const failures = new Map<Entry, unknown>();
    await this.isolate(batch, refusals, failures);
    for (const [entry, refusal] of refusals) {
      await this.deadLetter(entry.record, refusal, startedAt);
    }
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

  /**
   * Kafka's error for a refused request names no record, and a refused partition may hold many:
   * what it did not write is halved, in order, until each record it refuses stands alone. Each
   * half is sent only once the one before it is settled, so a key's records keep their order.
   * Records of a topic known to be missing are refused up front.
   */
  private async isolate(
    entries: Entry[],
    refusals: Map<Entry, Refusal>,
    failures: Map<Entry, unknown>,
  ): Promise<void> {
    const sendable: Entry[] = [];
    for (const entry of entries) {
      const missing = this.kafka.refusedTopic(entry.record.topic);
      if (missing === undefined) sendable.push(entry);
      else refusals.set(entry, { failure: KafkaFailure.refused(missing) });
    }
    const refusal = await this.produceWithRetries(sendable, failures);
    if (refusal === undefined) return;
    const { failure: refused, unwritten: left } = refusal;
    if (left.length === 1) {
      const [{ record }] = left;
      refusals.set(left[0], { failure: refused });
      this.kafka.refused(record, refused);
      this.logger.warn(`event ${record.id} (${record.name}) refused by Kafka: ${refused.reason}`);
      return;
    }
    const half = Math.ceil(left.length / 2);
    await this.isolate(left.slice(0, half), refusals, failures);
    await this.isolate(left.slice(half), refusals, failures);
  }

  /**
   * Sends `entries` in one request, again after each transient failure (with backoff), until
   * Kafka takes them (undefined) or refuses them for good (that failure, and the records it did
   * not write). Records of the partitions Kafka wrote in a failed request are acknowledged and
   * not sent again. A sender whose retries or deadline ran out, or who stopped waiting, is given
   * up on: its records leave the request (into `failures`) and the others are tried on.
   */
  private async produceWithRetries(
    entries: Entry[],
    failures: Map<Entry, unknown>,
  ): Promise<{ failure: KafkaFailure; unwritten: Entry[] } | undefined> {
    let trying = entries;
    for (let retry = 0; trying.length > 0; retry++) {
      try {
        await this.kafka.produce(trying.map(({ record }) => record));
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
              (!transient ||
                retry >= this.retrySettings.retries ||
                retryAt > (ticket.retryUntil ?? 0)))
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
  private async waitOrAbort(ms: number, entries: Entry[]): Promise<void> {
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

  /**
   * A refused record's dead letter, when KAFKA_DLQ_TOPIC is set: tried until the deadline of the
   * batch's first attempt; a letter the dead letter topic refuses goes again without its value.
   */
  private async deadLetter(
    record: OutgoingRecord,
    refusal: Refusal,
    startedAt: number,
  ): Promise<void> {
    const { dlqTopic } = this;
    if (dlqTopic === undefined) return;
    const { reason } = refusal.failure;
    let sent = await this.sendDeadLetter(record.deadLetter(dlqTopic, reason), startedAt);
    if (sent === 'refused') {
      sent = await this.sendDeadLetter(record.deadLetterWithoutValue(dlqTopic, reason), startedAt);
    }
    if (sent !== 'sent') return;
    refusal.deadLetterTopic = dlqTopic;
    this.metrics.deadLetters.inc();
    this.logger.warn(
      `event ${record.id} (${record.name}) refused by Kafka (${reason}); sent to ${dlqTopic}`,
    );
  }

  /** Whether Kafka took the letter, refused it for good, or did not take it in time. */
  private async sendDeadLetter(
    letter: OutgoingRecord,
    startedAt: number,
  ): Promise<'sent' | 'refused' | 'unavailable'> {
    try {
      await this.retry.run(
        () => this.kafka.produce([letter]),
        KafkaFailure.isTransient,
        undefined,
        startedAt,
      );
      return 'sent';
    } catch (error) {
      const failure = KafkaFailure.from(error);
      this.logger.error(
        `event ${letter.id} (${letter.name}) could not be sent to ${letter.topic}: ${failure.reason}`,
      );
      return failure.kind === 'rejected' ? 'refused' : 'unavailable';
    }
  }
}
