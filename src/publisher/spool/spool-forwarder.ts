import { Logger } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import { EventEnvelope } from '../event-envelope.js';
import { EventMetrics } from '../../metrics/index.js';
import type { RetryPolicy } from '../../kafka/index.js';
import type { DeliverySender } from '../delivery.js';
import { Spool, SpoolPosition, SpoolSegment } from './spool.js';

/**
 * While batches flow, the checkpoint is saved at most this often (and always once the forwarder
 * has caught up, and when it stops): each save is three disk syncs, and after every batch they
 * competed with the appends' own fsync, which every 202 waits for. A crash resends at most what
 * was forwarded since the last save.
 */
const CHECKPOINT_EVERY_MS = 250;

/** The forwarder's state, for readiness and metrics. */
export type ForwarderState =
  | { status: 'stopped' }
  | { status: 'running' }
  | { status: 'restarting'; reason: string }
  | { status: 'stuck'; reason: string };

/** What `finish` came to. */
export interface FinishOutcome {
  /** Events read from the spool and settled (acknowledged by Kafka, or set aside) since start. */
  forwarded: number;
  /** Of those, events kept in rejected.spool. */
  setAside: number;
  /** Of those, events settled after `finish` was called: what was left at that moment. */
  forwardedByFinish: number;
  /** True when nothing was left to forward; false when it stopped first (deadline, Kafka away). */
  empty: boolean;
  /** Stretches of damaged bytes skipped since start, each logged: events no one will read. */
  damaged: number;
}

/**
 * A record Kafka refused for good that no dead letter topic took, or one Kafka can never take (it
 * would fail its request for ever): kept in rejected.spool.
 */
interface ToSetAside {
  envelope: EventEnvelope;
  reason: string;
  segment: SpoolSegment;
}

/** What the forwarder asks about a record before sending it, and again while it is stuck (RecordFit). */
export interface ForwardedRecordFit {
  /** Why Kafka can never take the record (its topic's or the brokers' limits); undefined when it can. */
  problem(record: EventEnvelope): Promise<string | undefined> | undefined;
}

/** When a batch counts as stuck, and what decides whether it is. */
export interface StuckBatchCheck {
  /** SPOOL_FORWARD_STUCK_MS */
  afterMs: number;
  /** Whether Kafka answers this service: a batch waiting out an outage is not stuck. */
  kafkaAnswers(): boolean;
}

/**
 * Drains the spool to Kafka in order, one batch at a time, and deletes a segment only after Kafka
 * acknowledged every record in it. The producer retries a batch until Kafka takes it (unbounded
 * sends); the forwarder has no retry loop of its own. Its position is kept in a checkpoint file
 * (see CHECKPOINT_EVERY_MS), so a process restart resends at most the batches of the last
 * moments. Supervised: any failure (a full disk under the checkpoint or the set-aside file, a
 * segment that cannot be read or deleted) restarts the loop after a backoff from where it was,
 * and shows in readiness and metrics meanwhile.
 */
export class SpoolForwarder {
  private readonly logger = new Logger(SpoolForwarder.name);
  private stopping = new AbortController();
  private running?: Promise<void>;
  private current: ForwarderState = { status: 'stopped' };
  private saved?: SpoolPosition;
  private savedAt = 0;
  /** When the last batch went to Kafka (see `linger`). */
  private lastSentAt = -Infinity;
  /** Where the loop is: kept across its restarts, so that nothing acknowledged is sent again. */
  private position: SpoolPosition = { seq: 0, offset: 0 };
  private loaded = false;
  /** Refused records of the last batch still to keep; no checkpoint passes them meanwhile. */
  private toSetAside: ToSetAside[] = [];
  /** When the batch being sent was handed to the producer (performance.now()); none: undefined. */
  private sendingSince?: number;
  /** Set by `finish`: the loop ends once it has caught up, instead of waiting for appends. */
  private finishing = false;
  private caughtUp = false;
  private forwarded = 0;
  private keptAside = 0;
  private damaged = 0;

  constructor(
    private readonly spool: Spool,
    private readonly producer: DeliverySender,
    private readonly retry: RetryPolicy,
    private readonly metrics: EventMetrics,
    /** SPOOL_FORWARD_LINGER_MS */
    private readonly lingerMs: number,
    private readonly fit: ForwardedRecordFit,
    private readonly stuck: StuckBatchCheck,
    /** KAFKA_DLQ_TOPIC: where a record Kafka can never take is sent, without its value. */
    private readonly dlqTopic?: string,
  ) {}

  /** `stuck`: one batch sent for longer than SPOOL_FORWARD_STUCK_MS while Kafka answers. */
  get state(): ForwarderState {
    const waitedMs = this.batchWaitedMs;
    if (
      this.current.status === 'running' &&
      waitedMs > this.stuck.afterMs &&
      this.stuck.kafkaAnswers()
    ) {
      return {
        status: 'stuck',
        reason: `one batch has waited ${Math.round(waitedMs / 1000)} s for Kafka, which answers otherwise`,
      };
    }
    return this.current;
  }

  /** How long the batch being sent has waited for Kafka; 0 when none is. */
  get batchWaitedMs(): number {
    return this.sendingSince === undefined ? 0 : performance.now() - this.sendingSince;
  }

  start(): void {
    this.running = this.supervise();
  }

  async stop(): Promise<void> {
    this.stopping.abort();
    await this.running;
  }

  /**
   * Forwards what is left, then stops: once nothing is left, or after `withinMs`, or (with
   * `whileKafkaAnswers`) as soon as Kafka does not answer, since a batch would only wait for it.
   * What is left stays in the spool, with the checkpoint, for the next start. Appends must have
   * ended (the HTTP server closed, or none taken).
   */
  async finish(withinMs: number, whileKafkaAnswers: boolean): Promise<FinishOutcome> {
    this.finishing = true;
    const before = this.forwarded;
    const giveUp = () => this.stopping.abort();
    const deadline = setTimeout(giveUp, withinMs);
    const watch = setInterval(() => {
      if (whileKafkaAnswers && !this.stuck.kafkaAnswers()) giveUp();
    }, 100);
    if (whileKafkaAnswers && !this.stuck.kafkaAnswers()) giveUp();
    try {
      await this.running;
    } finally {
      clearTimeout(deadline);
      clearInterval(watch);
    }
    return {
      forwarded: this.forwarded,
      setAside: this.keptAside,
      forwardedByFinish: this.forwarded - before,
      empty: this.caughtUp,
      damaged: this.damaged,
    };
  }

  private get stopped(): boolean {
    return this.stopping.signal.aborted;
  }

  private async supervise(): Promise<void> {
    this.current = { status: 'running' };
    for (let failures = 0; !this.stopped;) {
      try {
        // After a failure it counts as down until it shows it works again (a batch forwarded, or
        // nothing left to forward): readiness and the gauge do not flicker up between a restart
        // and the next failure of the same cause.
        await this.run(() => {
          failures = 0;
          if (this.current.status !== 'running') this.current = { status: 'running' };
        });
        return;
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        const delayMs = this.retry.delayBefore(Math.min(failures++, 10));
        this.current = { status: 'restarting', reason };
        this.metrics.forwarderRestarts.inc();
        this.logger.error(`the spool forwarder failed (${reason}); restarting in ${delayMs} ms`);
        await this.pause(delayMs);
      }
    }
  }

  /** `working` is called after each batch Kafka acknowledged, and whenever all is forwarded. */
  private async run(working: () => void): Promise<void> {
    if (!this.loaded) {
      this.position = this.saved = await this.spool.loadCheckpoint();
      this.loaded = true;
    }
    await this.setAside();
    while (!this.stopped) {
      const position = this.position;
      const segment = this.spool.list().find((candidate) => candidate.seq >= position.seq);
      if (!segment) {
        await this.checkpoint(position, true);
        working();
        if (await this.finished()) return;
        if (!this.finishing) await this.nextAppendOrTick();
        continue;
      }
      if (segment.seq !== position.seq) {
        this.position = { seq: segment.seq, offset: 0 };
        continue;
      }
      if (position.offset >= segment.size) {
        if (this.spool.isActive(segment)) {
          await this.checkpoint(position, true);
          working();
          if (await this.finished()) return;
          if (!this.finishing) await this.nextAppendOrTick();
        } else {
          await this.spool.release(segment);
          this.position = { seq: segment.seq + 1, offset: 0 };
        }
        continue;
      }
      // No new append comes while finishing: nothing to gather by waiting.
      if (!this.finishing && this.spool.keepsUp(segment, position.offset)) await this.linger();
      if (await this.forwardBatch(segment, position)) working();
    }
    await this.checkpoint(this.position, true);
  }

  /**
   * Once it has caught up: true when `finish` asked it to end there and nothing is left. Appends
   * may have landed while the checkpoint was being saved, and one may still be written (its
   * request's sender gone, the HTTP server closed): only the end of the spool ends it.
   */
  private async finished(): Promise<boolean> {
    if (!this.finishing) return false;
    await this.spool.appended();
    const { seq, offset } = this.position;
    const segment = this.spool.list().find((candidate) => candidate.seq >= seq);
    const atEnd =
      !segment || (segment.seq === seq && offset >= segment.size && this.spool.isActive(segment));
    if (atEnd) this.caughtUp = true;
    return atEnd;
  }

  /**
   * Saves `position` unless it is saved already or, without `now`, was saved moments ago; never
   * past a refused record not yet kept (a crash would lose it).
   */
  private async checkpoint(position: SpoolPosition, now: boolean): Promise<void> {
    const { saved } = this;
    if (this.toSetAside.length > 0) return;
    if (saved && saved.seq === position.seq && saved.offset === position.offset) return;
    if (!now && performance.now() - this.savedAt < CHECKPOINT_EVERY_MS) return;
    await this.spool.saveCheckpoint(position);
    this.saved = position;
    this.savedAt = performance.now();
  }

  /**
   * While it keeps up, at most one batch per `lingerMs`: each produce request costs this process
   * and the broker as much as many events, and a steady stream of single events otherwise went
   * out a few events at a time, one batch per round trip. The webhook has answered already, so
   * the wait delays only the events' arrival in Kafka.
   */
  private async linger(): Promise<void> {
    const wait = this.lastSentAt + this.lingerMs - performance.now();
    if (wait > 0) await this.pause(wait);
  }

  /** The tick bounds how long a stop waits for this loop to notice it. */
  private nextAppendOrTick(): Promise<unknown> {
    return Promise.race([this.spool.nextAppend(), this.pause(250)]);
  }

  private pause(ms: number): Promise<void> {
    return sleep(ms, undefined, { signal: this.stopping.signal }).catch(() => undefined);
  }

  /**
   * Sends the batch at `position` until Kafka takes it; true once the position moved past it.
   * Records Kafka refuses for good would block the spool forever: the producer isolates them
   * (and sends them to KAFKA_DLQ_TOPIC when it is set and takes them); the rest are kept in
   * rejected.spool. So are records Kafka can never take, found before sending or, while the
   * batch is stuck, once Kafka's limits can be read: a produce request larger than the brokers'
   * socket.request.max.bytes has its connection closed, a fault retried for ever. The batch is
   * not sent again: every other record of it was acknowledged.
   */
  private async forwardBatch(segment: SpoolSegment, position: SpoolPosition): Promise<boolean> {
    const batch = await this.spool.read(segment, position.offset);
    const misfits = await this.misfitsOf(batch.envelopes);
    const letters = this.deadLettersOf(misfits, segment);
    const sendable = [
      ...batch.envelopes.filter((envelope) => !misfits.has(envelope)),
      ...letters.keys(),
    ];
    if (sendable.length > 0) {
      this.lastSentAt = performance.now();
      const sent = await this.send(sendable, segment, letters);
      if (!sent) {
        this.toSetAside = [];
        return false;
      }
    }
    if (batch.damage) {
      this.damaged++;
      this.logger.error(
        `spool segment ${segment.path} is damaged (${batch.damage}); those bytes are not published`,
      );
    }
    const next = (this.position = { seq: segment.seq, offset: batch.next });
    this.forwarded += batch.envelopes.length;
    await this.setAside();
    await this.checkpoint(next, false);
    return true;
  }

  /**
   * False when the send stopped before Kafka answered every record: at a stop, or because the
   * batch turned out to hold a record Kafka can never take (the batch is read and sent again).
   */
  private async send(
    envelopes: readonly EventEnvelope[],
    segment: SpoolSegment,
    letters: ReadonlyMap<EventEnvelope, ToSetAside>,
  ): Promise<boolean> {
    const misfit = new AbortController();
    const signal = AbortSignal.any([this.stopping.signal, misfit.signal]);
    const recheck = setInterval(() => {
      void this.misfitsOf(envelopes).then((found) => {
        if (found.size > 0) misfit.abort(new Error('the batch holds a record Kafka cannot take'));
      });
    }, this.stuck.afterMs);
    this.sendingSince = performance.now();
    try {
      const refusals = await this.producer.send(envelopes, { bounded: false, signal });
      for (const [envelope, refusal] of refusals) {
        const letterOf = letters.get(envelope);
        if (letterOf) this.toSetAside.push(letterOf);
        else if (refusal.deadLetterTopic === undefined) {
          this.toSetAside.push({ envelope, reason: refusal.failure.reason, segment });
        }
      }
      return true;
    } catch (error) {
      if (signal.aborted) return false;
      throw error;
    } finally {
      clearInterval(recheck);
      this.sendingSince = undefined;
    }
  }

  /**
   * As Kafka's own refusals do, a record Kafka can never take goes to KAFKA_DLQ_TOPIC when it is
   * set: its dead letter (without the value, which is what does not fit), mapped to what is kept
   * in rejected.spool should the letter be refused too. Without that topic, it is kept there now.
   */
  private deadLettersOf(
    misfits: ReadonlyMap<EventEnvelope, string>,
    segment: SpoolSegment,
  ): Map<EventEnvelope, ToSetAside> {
    const letters = new Map<EventEnvelope, ToSetAside>();
    for (const [envelope, reason] of misfits) {
      const kept = { envelope, reason, segment };
      if (this.dlqTopic === undefined) this.toSetAside.push(kept);
      else letters.set(envelope.deadLetterWithoutValue(this.dlqTopic, reason), kept);
    }
    return letters;
  }

  /** The records Kafka can never take, with why, as far as its limits are known. */
  private async misfitsOf(
    envelopes: readonly EventEnvelope[],
  ): Promise<Map<EventEnvelope, string>> {
    const misfits = new Map<EventEnvelope, string>();
    await Promise.all(
      envelopes.map(async (envelope) => {
        const problem = await this.fit.problem(envelope);
        if (problem)
          misfits.set(envelope, `MESSAGE_TOO_LARGE, found before sending: it ${problem}`);
      }),
    );
    return misfits;
  }

  /** Keeps the refused records of the last batch; a failing disk fails the loop (its supervisor retries). */
  private async setAside(): Promise<void> {
    while (this.toSetAside.length > 0) {
      const { envelope, reason, segment } = this.toSetAside[0];
      const path = await this.spool.setAside(envelope, segment);
      this.toSetAside.shift();
      this.keptAside++;
      this.metrics.failed.inc({ reason: 'rejected' });
      this.logger.error(
        `event ${envelope.id} (${envelope.name}) not taken by Kafka (${reason}); kept in ${path}`,
      );
    }
  }
}
