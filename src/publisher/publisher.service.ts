import { Injectable } from '@nestjs/common';
import { AppConfig, DeliveryMode } from '../config/app-config.js';
import { EventEnvelope } from './event-envelope.js';
import { PublishQueue } from './publish-queue.js';
import { Spool } from './spool/spool.js';
import { ForwarderState, SpoolForwarder } from './spool/spool-forwarder.js';

/**
 * Takes a request's permitted envelopes and resolves when they are safe, which depends on the
 * delivery mode: `kafka`, acknowledged by Kafka; `spool`, fsynced to the local spool (the
 * SpoolForwarder takes them on to Kafka). Throws BackpressureError when full, KafkaFailure when
 * Kafka failed them.
 */
@Injectable()
export class PublisherService {
  readonly mode: DeliveryMode;

  constructor(
    config: AppConfig,
    private readonly queue: PublishQueue,
    private readonly spool: Spool,
    private readonly forwarder: SpoolForwarder,
  ) {
    this.mode = config.delivery.mode;
  }

  /** Events waiting in memory for Kafka's acknowledgement. */
  get queuedEvents(): number {
    return this.queue.depth;
  }

  /** Bytes in the spool not yet forwarded. */
  get spooledBytes(): number {
    return this.spool.bytes;
  }

  /** The spool forwarder's state (`off` outside spool mode). */
  get forwarderState(): ForwarderState {
    return this.forwarder.state;
  }

  publish(envelopes: readonly EventEnvelope[]): Promise<void> {
    return this.mode === 'spool' ? this.spool.append(envelopes) : this.queue.enqueue(envelopes);
  }
}
