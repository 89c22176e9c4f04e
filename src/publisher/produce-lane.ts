import { recordBytesWithin, type EventEnvelope } from './event-envelope.js';

interface Waiting {
  envelopes: readonly EventEnvelope[];
  /** Sent in a request of its own: it is being told apart from a record Kafka refused. */
  alone: boolean;
  bytes: number;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * One produce request at a time per producer; batches that arrive meanwhile go together in the
 * next one (up to the batch limits), so throughput is not given back.
 *
 * Why only one: when a produce request of an idempotent kafkajs producer fails, kafkajs rolls
 * its sequence numbers back (producer/sendMessages.js) and releases its broker lock, and a
 * request already waiting for that lock takes the rolled-back numbers at once. If the failed
 * request had in fact been written (its answer was lost), the broker takes the waiting one, when
 * it is as long, for a duplicate: acknowledged and never written. Through the lane nothing waits
 * at that lock, and `send` renews the producer before the lane moves on.
 */
export class ProduceLane {
  private busy = false;
  private waiting: Waiting[] = [];

  constructor(
    private readonly send: (envelopes: readonly EventEnvelope[]) => Promise<void>,
    private readonly limits: { maxEvents: number; maxBytes: number },
  ) {}

  /**
   * Resolves once `send` succeeded for a request holding all of `envelopes`; `alone`: a request
   * holding nothing else.
   */
  run(envelopes: readonly EventEnvelope[], alone = false): Promise<void> {
    const bytes = envelopes.reduce((sum, envelope) => sum + envelope.size, 0);
    return new Promise((resolve, reject) => {
      this.waiting.push({ envelopes, alone, bytes, resolve, reject });
      if (!this.busy) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.busy = true;
    while (this.waiting.length > 0) {
      const group = this.takeGroup();
      try {
        await this.send(group.flatMap(({ envelopes }) => envelopes));
        for (const waiting of group) waiting.resolve();
      } catch (error) {
        for (const waiting of group) waiting.reject(error);
      }
    }
    this.busy = false;
  }

  /** The first waiting batch, and those after it that still fit the limits with it. */
  private takeGroup(): Waiting[] {
    let events = 0;
    let bytes = 0;
    let count = 0;
    for (const waiting of this.waiting) {
      const fits =
        events + waiting.envelopes.length <= this.limits.maxEvents &&
        bytes + waiting.bytes <= recordBytesWithin(this.limits.maxBytes);
      if (count > 0 && (!fits || waiting.alone || this.waiting[0].alone)) break;
      events += waiting.envelopes.length;
      bytes += waiting.bytes;
      count++;
    }
    return this.waiting.splice(0, count);
  }
}
