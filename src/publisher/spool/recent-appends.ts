import type { EventEnvelope } from '../event-envelope.js';
import type { ReadBatch } from './segment-reader.js';

interface RecentRecord {
  seq: number;
  offset: number;
  bytes: number;
  envelope: EventEnvelope;
}

/**
 * The records fsynced lately, by where they lie on disk, so that a forwarder that keeps up sends
 * them without opening, reading and decoding the segment again (at a steady stream of single
 * events that was a file open, read and close per batch). The disk stays the truth: a position
 * not held here (after a restart, or past the cap while Kafka is down) is read from the segment.
 */
export class RecentAppends {
  private records: RecentRecord[] = [];
  /** Records before this index are dropped; the array is compacted once they are many. */
  private head = 0;
  private bytes = 0;

  constructor(private readonly maxBytes: number) {}

  /** Records written, in order and back to back, from `offset` of segment `seq`. */
  add(seq: number, offset: number, envelopes: readonly EventEnvelope[], sizes: readonly number[]) {
    let at = offset;
    envelopes.forEach((envelope, index) => {
      const bytes = sizes[index] ?? 0;
      this.records.push({ seq, offset: at, bytes, envelope });
      this.bytes += bytes;
      at += bytes;
    });
    while (this.bytes > this.maxBytes && this.head < this.records.length) this.drop();
    this.compact();
  }

  /**
   * The records from exactly `offset` of segment `seq` on, within the batch limits (as
   * readSegment counts them); undefined when that position is not held. What lies before it is
   * forgotten: the forwarder does not go back.
   */
  take(seq: number, offset: number, maxEvents: number, maxBytes: number): ReadBatch | undefined {
    while (this.head < this.records.length && isBefore(this.records[this.head], seq, offset)) {
      this.drop();
    }
    this.compact();
    const first = this.records[this.head];
    if (!first || first.seq !== seq || first.offset !== offset) return undefined;
    const envelopes: EventEnvelope[] = [];
    let next = offset;
    let read = 0;
    for (let index = this.head; index < this.records.length; index++) {
      const record = this.records[index];
      if (envelopes.length >= maxEvents || read >= maxBytes) break;
      if (record.seq !== seq || record.offset !== next) break;
      envelopes.push(record.envelope);
      next += record.bytes;
      read += record.bytes;
    }
    return { envelopes, next };
  }

  private drop(): void {
    this.bytes -= this.records[this.head].bytes;
    this.head++;
  }

  private compact(): void {
    if (this.head > 1024 && this.head * 2 > this.records.length) {
      this.records = this.records.slice(this.head);
      this.head = 0;
    }
  }
}

function isBefore(record: RecentRecord, seq: number, offset: number): boolean {
  return record.seq < seq || (record.seq === seq && record.offset < offset);
}
