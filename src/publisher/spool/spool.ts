import { Logger } from '@nestjs/common';
import { FileHandle, mkdir, open, readdir, readFile, rename, stat, unlink } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ConfigError } from '../../config/index.js';
import { BackpressureError, type KafkaSettings } from '../../kafka/index.js';
import type { PublisherSettings } from '../publisher.settings.js';
import { EventEnvelope } from '../event-envelope.js';
import { readSegment, ReadBatch } from './segment-reader.js';
import { encodedRecordBytes, encodeRecord } from './spool-record.js';

export class SpoolFullError extends BackpressureError {}

export interface SpoolSegment {
  readonly seq: number;
  readonly path: string;
  /** Bytes known to be on disk: fsynced by this process, or found there at start. */
  size: number;
  /** Of those, bytes of records copied to rejected.spool: counted there, not twice. */
  setAsideBytes: number;
}

/** How far the forwarder got: segment number and byte offset in it. */
export interface SpoolPosition {
  seq: number;
  offset: number;
}

interface Append {
  records: Buffer[];
  bytes: number;
  resolve: () => void;
  reject: (error: unknown) => void;
}

const SEGMENT_NAME = /^segment-(\d{12})\.spool$/;
const REJECTED_NAME = 'rejected.spool';
const CHECKPOINT_NAME = 'checkpoint.json';
/**
 * A forwarded batch is decoded and encoded for Kafka on the event loop the webhook shares: a
 * smaller batch holds the loop for less time, so the webhook's tail latency stays low while a
 * backlog drains, and still drains it far faster than the webhook fills it
 * (docs/performance-history.md).
 */
const FORWARD_BATCH_EVENTS = 250;
const FORWARD_BATCH_BYTES = 256 * 1024;

/**
 * The `spool` delivery mode's local, append-only log: segment files of records (see spool-record),
 * appended with one fsync for all the requests that arrived meanwhile (group commit), capped in
 * size. A new segment is started at every start, so a torn tail is never appended to.
 */
export class Spool {
  private readonly logger = new Logger(Spool.name);
  private readonly segments: SpoolSegment[] = [];
  private active?: { segment: SpoolSegment; handle: FileHandle };
  private totalBytes = 0;
  private queue: Append[] = [];
  private queuedBytes = 0;
  /** The group being written: counted against the cap until it is on disk. */
  private writingBytes = 0;
  private writing?: Promise<void>;
  /** One promise for every waiter of the next append, so idle waiting costs nothing per tick. */
  private nextAppended?: { promise: Promise<void>; resolve: () => void };
  readonly dir: string;

  constructor(
    private readonly settings: PublisherSettings,
    /** Its batch limits bound the forwarder's reads; KAFKA_TOPIC takes records without a topic. */
    private readonly kafka: KafkaSettings,
  ) {
    this.dir = resolve(settings.spoolDir);
  }

  async open(): Promise<void> {
    try {
      await mkdir(this.dir, { recursive: true });
      await this.openSegments();
    } catch (error) {
      // The operator's to fix: name the setting rather than show a stack.
      throw new ConfigError([
        `SPOOL_DIR=${JSON.stringify(this.dir)} cannot be used: ${(error as Error).message}`,
      ]);
    }
  }

  private async openSegments(): Promise<void> {
    const names = (await readdir(this.dir)).filter((name) => SEGMENT_NAME.test(name)).sort();
    for (const name of names) {
      const path = join(this.dir, name);
      const { size } = await stat(path);
      this.segments.push({
        seq: Number(SEGMENT_NAME.exec(name)?.[1]),
        path,
        size,
        setAsideBytes: 0,
      });
      this.totalBytes += size;
    }
    // Set-aside records stay until an operator deals with them, and take their share of the cap.
    this.totalBytes += await stat(join(this.dir, REJECTED_NAME)).then(
      ({ size }) => size,
      () => 0,
    );
    if (names.length > 0) {
      this.logger.log(
        `resuming: ${names.length} segment(s), ${this.totalBytes} bytes left to forward`,
      );
    }
    await this.startSegment();
  }

  /** Resolves once no append is being written: after the HTTP server closed, one whose sender hung up may still be. */
  async appended(): Promise<void> {
    while (this.writing) await this.writing;
  }

  /** Runs after the HTTP server closed: appends still being written finish first. */
  async close(): Promise<void> {
    await this.writing;
    this.wake();
    await this.active?.handle.close();
    this.active = undefined;
  }

  /** Resolves once the envelopes are on disk (fsynced); throws SpoolFullError when it cannot take them. */
  append(envelopes: readonly EventEnvelope[]): Promise<void> {
    if (envelopes.length === 0) return Promise.resolve();
    const records = envelopes.map(encodeRecord);
    const bytes = records.reduce((sum, record) => sum + record.length, 0);
    if (
      this.totalBytes + this.writingBytes + this.queuedBytes + bytes >
      this.settings.spoolMaxBytes
    ) {
      return Promise.reject(
        new SpoolFullError(
          `the spool is full (${this.totalBytes} bytes; SPOOL_MAX_BYTES=${this.settings.spoolMaxBytes})`,
        ),
      );
    }
    return new Promise((resolve, reject) => {
      this.queue.push({ records, bytes, resolve, reject });
      this.queuedBytes += bytes;
      this.writing ??= this.writeQueued();
    });
  }

  /** More than SPOOL_MAX_BYTES would get 503 even with the spool empty. */
  tooLarge(envelopes: readonly EventEnvelope[]): string | undefined {
    const bytes = envelopes.reduce((sum, envelope) => sum + encodedRecordBytes(envelope), 0);
    const max = this.settings.spoolMaxBytes;
    return bytes > max
      ? `its ${envelopes.length} events are ${bytes} bytes in the spool, more than SPOOL_MAX_BYTES (${max})`
      : undefined;
  }

  /** Oldest first; the last one is the segment being written. */
  list(): readonly SpoolSegment[] {
    return this.segments;
  }

  isActive(segment: SpoolSegment): boolean {
    return this.active?.segment === segment;
  }

  get bytes(): number {
    return this.totalBytes;
  }

  /** Resolves at the next append (or when the spool closes). */
  nextAppend(): Promise<void> {
    if (!this.nextAppended) {
      let resolve!: () => void;
      const promise = new Promise<void>((done) => (resolve = done));
      this.nextAppended = { promise, resolve };
    }
    return this.nextAppended.promise;
  }

  /** Whole records of a segment from `from` on, up to the forwarder's batch limits (see readSegment). */
  read(segment: SpoolSegment, from: number): Promise<ReadBatch> {
    const { maxEvents, maxBytes } = this.kafka.batch;
    return readSegment(
      segment.path,
      from,
      segment.size,
      Math.min(maxEvents, FORWARD_BATCH_EVENTS),
      Math.min(maxBytes, FORWARD_BATCH_BYTES),
      this.kafka.topic,
    );
  }

  /** Whether less than one forwarder batch of bytes waits in the active segment past `offset`. */
  keepsUp(segment: SpoolSegment, offset: number): boolean {
    return this.isActive(segment) && segment.size - offset < FORWARD_BATCH_BYTES;
  }

  /** Deletes a segment whose every record Kafka has acknowledged. */
  async release(segment: SpoolSegment): Promise<void> {
    if (this.isActive(segment)) throw new Error('the active segment cannot be released');
    await unlink(segment.path);
    this.segments.splice(this.segments.indexOf(segment), 1);
    this.totalBytes -= segment.size - segment.setAsideBytes;
  }

  /**
   * Keeps a record of `segment` that Kafka refused for good in rejected.spool (same format),
   * fsynced. It needs no room: its bytes were counted in the segment, and move to
   * rejected.spool's share when the segment is released, so the cap can never stop it.
   */
  async setAside(envelope: EventEnvelope, segment: SpoolSegment): Promise<string> {
    const record = encodeRecord(envelope);
    const path = join(this.dir, REJECTED_NAME);
    await writeSynced(path, 'a', record);
    segment.setAsideBytes += record.length;
    return path;
  }

  /** rejected.spool and its size (0 when there is none): what a drain must leave to an operator. */
  async setAsideFile(): Promise<{ path: string; bytes: number }> {
    const path = join(this.dir, REJECTED_NAME);
    const bytes = await stat(path).then(
      (stats) => stats.size,
      () => 0,
    );
    return { path, bytes };
  }

  /** Where the forwarder stopped; the start of the spool when no checkpoint was kept. */
  async loadCheckpoint(): Promise<SpoolPosition> {
    try {
      const saved = JSON.parse(
        await readFile(join(this.dir, CHECKPOINT_NAME), 'utf8'),
      ) as Partial<SpoolPosition>;
      if (Number.isSafeInteger(saved.seq) && Number.isSafeInteger(saved.offset)) {
        return { seq: saved.seq as number, offset: saved.offset as number };
      }
    } catch {
      // No checkpoint (first start) or an unreadable one: start at the oldest segment.
    }
    return { seq: 0, offset: 0 };
  }

  /** Replaces the checkpoint atomically and durably: file synced, renamed, folder synced. */
  async saveCheckpoint(position: SpoolPosition): Promise<void> {
    const path = join(this.dir, CHECKPOINT_NAME);
    const temporary = `${path}.tmp`;
    await writeSynced(temporary, 'w', Buffer.from(JSON.stringify(position)));
    await rename(temporary, path);
    await syncDirectory(this.dir);
  }

  /** One writer at a time; what arrives while it writes goes in its next group. */
  private async writeQueued(): Promise<void> {
    while (this.queue.length > 0) {
      const group = this.queue;
      this.queue = [];
      this.writingBytes = this.queuedBytes;
      this.queuedBytes = 0;
      await this.writeGroup(group);
    }
    this.writing = undefined;
  }

  private async writeGroup(group: Append[]): Promise<void> {
    try {
      if (!this.active) throw new Error('the spool is closed');
      if (this.active.segment.size >= this.settings.spoolSegmentBytes) {
        await this.startSegment();
      }
      const { segment, handle } = this.active;
      const data = Buffer.concat(group.flatMap((append) => append.records));
      await writeFully(handle, data, segment.size);
      await handle.datasync();
      segment.size += data.length;
      this.totalBytes += data.length;
      this.writingBytes = 0;
    } catch (error) {
      this.writingBytes = 0;
      await this.dropTornTail();
      const reason =
        (error as NodeJS.ErrnoException).code === 'ENOSPC' ? 'the disk is full' : String(error);
      this.logger.error(`spool append failed: ${reason}`);
      for (const append of group)
        append.reject(new SpoolFullError(`the spool cannot take events: ${reason}`));
      return;
    }
    for (const append of group) append.resolve();
    this.wake();
  }

  /** After a failed write, cut the file back to what was fsynced, so no garbage precedes the next record. */
  private async dropTornTail(): Promise<void> {
    if (!this.active) return;
    try {
      await this.active.handle.truncate(this.active.segment.size);
    } catch (error) {
      this.logger.error(
        `could not cut a failed append off the spool: ${String(error)}; starting a new segment`,
      );
      await this.startSegment().catch(() => undefined);
    }
  }

  private async startSegment(): Promise<void> {
    const seq = (this.segments.at(-1)?.seq ?? 0) + 1;
    const path = join(this.dir, `segment-${String(seq).padStart(12, '0')}.spool`);
    const handle = await open(path, 'wx');
    await syncDirectory(this.dir);
    await this.active?.handle.close();
    const segment: SpoolSegment = { seq, path, size: 0, setAsideBytes: 0 };
    this.segments.push(segment);
    this.active = { segment, handle };
  }

  private wake(): void {
    const waiting = this.nextAppended;
    this.nextAppended = undefined;
    waiting?.resolve();
  }
}

/** Writes `data` to a new (`w`) or appended-to (`a`) file, on disk before it resolves. */
async function writeSynced(path: string, flags: 'a' | 'w', data: Buffer): Promise<void> {
  const handle = await open(path, flags);
  try {
    await writeFully(handle, data, flags === 'a' ? null : 0);
    await handle.datasync();
  } finally {
    await handle.close();
  }
}

/** `position` null: at the end of a file opened for appending. */
async function writeFully(
  handle: FileHandle,
  data: Buffer,
  position: number | null,
): Promise<void> {
  let written = 0;
  while (written < data.length) {
    const { bytesWritten } = await handle.write(
      data,
      written,
      data.length - written,
      position === null ? null : position + written,
    );
    written += bytesWritten;
  }
}

/** A new file's name is durable only once its directory is synced. */
async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
