import type { BatchSettings } from './publisher.settings.js';
import { EventEnvelope, recordBytesWithin } from './event-envelope.js';
import { KafkaFailure } from '../kafka/index.js';
import { BackpressureError } from './backpressure-error.js';
import { RecordsRefused } from './records-refused.js';

export class QueueFullError extends BackpressureError {}

/**
 * One request's share of the queue: settled once all of its envelopes are, at the first failure,
 * or when `deadlineMs` passed without an answer from Kafka (a network that swallows packets
 * holds a produce request longer than any one timeout says).
 */
class Ticket {
  private remaining: number;
  private settled = false;
  private readonly timer: NodeJS.Timeout;

  constructor(
    count: number,
    private readonly resolve: () => void,
    private readonly reject: (error: unknown) => void,
    deadlineMs: number,
  ) {
    this.remaining = count;
    this.timer = setTimeout(
      () =>
        this.fail(
          KafkaFailure.timedOut(
            `Kafka did not acknowledge within ${deadlineMs} ms; the events may still be written, so a retry may duplicate them`,
          ),
        ),
      deadlineMs,
    );
  }

  acknowledge(): void {
    if (--this.remaining === 0 && !this.settled) {
      this.settled = true;
      clearTimeout(this.timer);
      this.resolve();
    }
  }

  fail(error: unknown): void {
    if (this.settled) return;
    this.settled = true;
    clearTimeout(this.timer);
    this.reject(error);
  }
}

interface Entry {
  envelope: EventEnvelope;
  ticket: Ticket;
}

/**
 * The interface the queue needs of Kafka, so that a spec can stand in for the broker. `send`
 * throws RecordsRefused when only some records were refused, anything else when none was taken.
 */
export interface BatchSender {
  send(envelopes: readonly EventEnvelope[]): Promise<void>;
}

/**
 * Coalesces the envelopes of all concurrent requests into Kafka batches, bounded by count and
 * bytes, and paced by the linger while several senders are at work (see `schedule`). Several
 * batches may be in flight, but never two holding the same record key: a failed batch retried
 * after a later one succeeded would otherwise reorder that key.
 */
export class PublishQueue {
  private pending: Entry[] = [];
  private pendingBytes = 0;
  private queuedEvents = 0;
  private queuedBytes = 0;
  private inFlight = 0;
  private readonly keysInFlight = new Map<string | null, number>();
  private lingerTimer?: NodeJS.Timeout;
  /** When the last batch went, and whether events arrived while it was in flight. */
  private lastDispatchAt = -Infinity;
  private arrivedInFlight = false;

  constructor(
    private readonly sender: BatchSender,
    private readonly settings: BatchSettings,
    /** The longest a request waits for its answer: KAFKA_RETRY_DEADLINE_MS + KAFKA_REQUEST_TIMEOUT_MS. */
    private readonly answerWithinMs: number,
  ) {}

  /** Resolves once Kafka acknowledged every one of `envelopes`; throws QueueFullError at once when full. */
  enqueue(envelopes: readonly EventEnvelope[]): Promise<void> {
    if (envelopes.length === 0) return Promise.resolve();
    const bytes = envelopes.reduce((sum, envelope) => sum + envelope.size, 0);
    const { maxQueuedEvents, maxQueuedBytes } = this.settings;
    if (
      this.queuedEvents + envelopes.length > maxQueuedEvents ||
      this.queuedBytes + bytes > maxQueuedBytes
    ) {
      throw new QueueFullError(
        `the publish queue is full (${this.queuedEvents} events, ${this.queuedBytes} bytes waiting for Kafka)`,
      );
    }
    this.queuedEvents += envelopes.length;
    this.queuedBytes += bytes;
    if (this.inFlight > 0) this.arrivedInFlight = true;
    return new Promise<void>((resolve, reject) => {
      const ticket = new Ticket(envelopes.length, resolve, reject, this.answerWithinMs);
      for (const envelope of envelopes) this.pending.push({ envelope, ticket });
      this.pendingBytes += bytes;
      this.schedule();
    });
  }

  /** Events accepted but not yet acknowledged. */
  get depth(): number {
    return this.queuedEvents;
  }

  /**
   * One sender at a time (nothing in flight, nothing arrived while the last batch was): the batch
   * goes now, so one event is answered in one produce round trip. Several senders at once: at
   * most one batch per `lingerMs`, so that a steady stream of single events makes fewer, fuller
   * produce requests; each costs this process and the broker as much CPU as several events.
   */
  private schedule(): void {
    const { lingerMs } = this.settings;
    if (lingerMs === 0) return this.dispatch(false);
    if (this.hasFullBatch()) return this.dispatch(this.inFlight > 0);
    const concurrent = this.inFlight > 0 || this.arrivedInFlight;
    const wait = concurrent ? this.lastDispatchAt + lingerMs - performance.now() : 0;
    if (wait <= 0) this.dispatch(false);
    else this.lingerTimer ??= setTimeout(() => this.dispatch(false), wait);
  }

  private hasFullBatch(): boolean {
    return (
      this.pending.length >= this.settings.maxEvents || this.pendingBytes >= this.settings.maxBytes
    );
  }

  /** With `onlyFull`, a partial batch is left for the linger timer. */
  private dispatch(onlyFull: boolean): void {
    clearTimeout(this.lingerTimer);
    this.lingerTimer = undefined;
    while (this.pending.length > 0 && this.inFlight < this.settings.maxInFlight) {
      if (onlyFull && !this.hasFullBatch()) {
        this.lingerTimer = setTimeout(() => this.dispatch(false), this.settings.lingerMs);
        return;
      }
      const batch = this.takeBatch();
      // The head's key is in flight: the end of that send dispatches again.
      if (batch.length === 0) return;
      void this.send(batch);
    }
  }

  /** Takes from the head, in order, and stops before a key that is in flight. */
  private takeBatch(): Entry[] {
    const { maxEvents } = this.settings;
    const maxBytes = recordBytesWithin(this.settings.maxBytes);
    let count = 0;
    let bytes = 0;
    while (count < this.pending.length && count < maxEvents) {
      const { envelope } = this.pending[count];
      if (this.keysInFlight.has(envelope.key)) break;
      if (count > 0 && bytes + envelope.size > maxBytes) break;
      bytes += envelope.size;
      count++;
    }
    const batch = this.pending.splice(0, count);
    this.pendingBytes -= bytes;
    return batch;
  }

  private async send(batch: Entry[]): Promise<void> {
    this.inFlight++;
    this.lastDispatchAt = performance.now();
    this.arrivedInFlight = false;
    for (const { envelope } of batch) {
      this.keysInFlight.set(envelope.key, (this.keysInFlight.get(envelope.key) ?? 0) + 1);
    }
    let failure: unknown;
    let refusals: RecordsRefused['refusals'] | undefined;
    try {
      await this.sender.send(batch.map(({ envelope }) => envelope));
    } catch (error) {
      if (error instanceof RecordsRefused) refusals = error.refusals;
      else failure = error;
    }
    this.inFlight--;
    for (const { envelope, ticket } of batch) {
      const left = (this.keysInFlight.get(envelope.key) ?? 1) - 1;
      if (left === 0) this.keysInFlight.delete(envelope.key);
      else this.keysInFlight.set(envelope.key, left);
      this.queuedEvents--;
      this.queuedBytes -= envelope.size;
      // Only the sender of a refused record hears of it; the records beside it were acknowledged.
      const refusal = refusals?.get(envelope);
      if (refusal) ticket.fail(RecordsRefused.failureFor(refusal));
      else if (failure === undefined) ticket.acknowledge();
      else ticket.fail(failure);
    }
    if (this.pending.length > 0) this.schedule();
  }
}
