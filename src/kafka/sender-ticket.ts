import { KafkaFailure } from './kafka-failure.js';
import type { OutgoingRecord } from './outgoing-record.js';
import type { Refusal } from './records-refused.js';

/**
 * One sender's records: settled once every record is acknowledged or refused (the refusals are
 * its answer), or at the first failure; a bounded one also when its time is up, and any one when
 * its signal aborts. Settling lets go of the signal: the spool forwarder passes one signal for
 * its whole life, and a listener left on it would keep every batch it ever sent in memory.
 */
export class SenderTicket<R extends OutgoingRecord = OutgoingRecord> {
  private remaining: number;
  private settled = false;
  private readonly refusals = new Map<R, Refusal>();
  private readonly timer?: NodeJS.Timeout;
  private readonly onAbort = (): void => this.fail(this.signal?.reason);

  constructor(
    count: number,
    /** No retry of its records starts after this (Date.now() time); undefined: unbounded. */
    readonly retryUntil: number | undefined,
    /** A bounded sender's answer comes by then even while Kafka holds its records. */
    answerWithinMs: number,
    readonly signal: AbortSignal | undefined,
    private readonly resolve: (refusals: ReadonlyMap<R, Refusal>) => void,
    private readonly reject: (error: unknown) => void,
  ) {
    this.remaining = count;
    signal?.addEventListener('abort', this.onAbort, { once: true });
    if (retryUntil === undefined) return;
    // A network that swallows packets holds a produce request longer than any one timeout says.
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

/** One record in the producer core, with the ticket of the sender who handed it over. */
export interface QueuedRecord {
  record: OutgoingRecord;
  ticket: SenderTicket;
}
