import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { appendFile, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { AppConfig } from '../../config/app-config.js';
import { EventEnvelope } from '../event-envelope.js';
import { KafkaFailure } from '../../kafka/index.js';
import { EventMetrics } from '../../metrics/index.js';
import { KafkaProducer } from '../kafka-producer.js';
import { RetryPolicy } from '../retry-policy.js';
import { readSegment } from './segment-reader.js';
import { Spool, SpoolSegment } from './spool.js';
import { encodeRecord } from './spool-record.js';

interface Position {
  seq: number;
  offset: number;
}

/**
 * Drains the spool to Kafka in order, one batch at a time, and deletes a segment only after Kafka
 * acknowledged every record in it. The position after each acknowledged batch is kept in a
 * checkpoint file, so a restart resends at most the batch that was in flight.
 */
@Injectable()
export class SpoolForwarder implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(SpoolForwarder.name);
  private stopping = false;
  private running?: Promise<void>;
  private readonly checkpointPath: string;
  private readonly rejectedPath: string;

  constructor(
    private readonly config: AppConfig,
    private readonly spool: Spool,
    private readonly producer: KafkaProducer,
    private readonly retry: RetryPolicy,
    private readonly metrics: EventMetrics,
  ) {
    this.checkpointPath = join(spool.dir, 'checkpoint.json');
    this.rejectedPath = join(spool.dir, 'rejected.spool');
  }

  onApplicationBootstrap(): void {
    if (this.config.delivery.mode !== 'spool') return;
    this.running = this.run().catch((error: unknown) => {
      this.logger.error(`the spool forwarder stopped: ${String(error)}`);
    });
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopping = true;
    await this.running;
  }

  private async run(): Promise<void> {
    let position = await this.loadCheckpoint();
    while (!this.stopping) {
      const segment = this.spool.list().find((candidate) => candidate.seq >= position.seq);
      if (!segment) {
        await this.nextAppendOrTick();
        continue;
      }
      if (segment.seq !== position.seq) position = { seq: segment.seq, offset: 0 };
      if (position.offset >= segment.size) {
        if (this.spool.isActive(segment)) {
          await this.nextAppendOrTick();
        } else {
          await this.spool.release(segment);
          position = { seq: segment.seq + 1, offset: 0 };
        }
        continue;
      }
      position = await this.forwardBatch(segment, position);
    }
  }

  /** The tick bounds how long a stop waits for this loop to notice it. */
  private nextAppendOrTick(): Promise<void> {
    return Promise.race([this.spool.nextAppend(), sleep(250)]);
  }

  private async forwardBatch(segment: SpoolSegment, position: Position): Promise<Position> {
    const { maxEvents, maxBytes } = this.config.delivery.batch;
    const batch = await readSegment(
      segment.path,
      position.offset,
      segment.size,
      maxEvents,
      maxBytes,
    );
    if (batch.envelopes.length > 0) {
      const sent = await this.sendUntilAcknowledged(batch.envelopes);
      if (!sent) return position;
    }
    if (batch.damage) {
      this.logger.error(
        `spool segment ${segment.path} is damaged at byte ${batch.next} (${batch.damage}); ` +
          `the ${segment.size - batch.next} bytes from there on are skipped, not published`,
      );
    }
    const next = { seq: segment.seq, offset: batch.damage ? segment.size : batch.next };
    await this.saveCheckpoint(next);
    return next;
  }

  /** Retries as long as it takes (the spool holds the events meanwhile); false when stopping. */
  private async sendUntilAcknowledged(envelopes: EventEnvelope[]): Promise<boolean> {
    for (let attempt = 0; !this.stopping; attempt++) {
      try {
        await this.producer.send(envelopes);
        return true;
      } catch (error) {
        if (
          KafkaFailure.from(error).kind === 'rejected' &&
          (await this.setAsideRejected(envelopes))
        ) {
          return true;
        }
        await sleep(this.retry.delayBefore(Math.min(attempt, 10)));
      }
    }
    return false;
  }

  /**
   * Records Kafka refuses for good would block the spool forever: each is tried alone, and the
   * ones still refused are kept in rejected.spool (same format) and logged, never silently dropped.
   * False when Kafka became unavailable meanwhile: the whole batch is tried again later.
   */
  private async setAsideRejected(envelopes: EventEnvelope[]): Promise<boolean> {
    for (const envelope of envelopes) {
      try {
        await this.producer.send([envelope]);
      } catch (error) {
        const failure = KafkaFailure.from(error);
        if (failure.kind !== 'rejected') return false;
        await appendFile(this.rejectedPath, encodeRecord(envelope));
        this.metrics.failed.inc({ reason: 'rejected' });
        this.logger.error(
          `event ${envelope.id} (${envelope.name}) refused by Kafka (${failure.reason}); kept in ${this.rejectedPath}`,
        );
      }
    }
    return true;
  }

  private async loadCheckpoint(): Promise<Position> {
    try {
      const saved = JSON.parse(await readFile(this.checkpointPath, 'utf8')) as Partial<Position>;
      if (Number.isSafeInteger(saved.seq) && Number.isSafeInteger(saved.offset)) {
        return { seq: saved.seq as number, offset: saved.offset as number };
      }
    } catch {
      // No checkpoint (first start) or an unreadable one: start at the oldest segment.
    }
    return { seq: 0, offset: 0 };
  }

  private async saveCheckpoint(position: Position): Promise<void> {
    const temporary = `${this.checkpointPath}.tmp`;
    await writeFile(temporary, JSON.stringify(position));
    await rename(temporary, this.checkpointPath);
  }
}
