import {
  BadGatewayException,
  BadRequestException,
  InternalServerErrorException,
  Injectable,
  PayloadTooLargeException,
} from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { FilterService } from '../filters/index.js';
import { RetryLaterException } from '../http/retry-later.exception.js';
import { KafkaFailure } from '../kafka/index.js';
import { EventMetrics, FailureReason } from '../metrics/index.js';
import {
  BackpressureError,
  EventEnvelope,
  KytosEvent,
  PublisherService,
  UnserializableEventError,
} from '../publisher/index.js';
import type { IngestOutcome } from './dto/ingest-result.dto.js';

/** The path of one webhook request: decide each event, serialize the permitted ones, publish. */
@Injectable()
export class IngestService {
  constructor(
    private readonly config: AppConfig,
    private readonly filters: FilterService,
    private readonly publisher: PublisherService,
    private readonly metrics: EventMetrics,
  ) {}

  /** `exactNumbers`: the body held numbers parsed exactly (see exact-json.ts). */
  async ingest(events: readonly KytosEvent[], exactNumbers = false): Promise<IngestOutcome> {
    this.metrics.received.inc(events.length);
    if (!this.filters.ready) {
      // Deciding before every rule is loaded could let out what a deny rule stops.
      this.metrics.failed.inc({ reason: 'not_ready' }, events.length);
      throw new RetryLaterException('the permission rules are still loading; nothing was taken', 1);
    }
    try {
      return await this.decideAndPublish(events, exactNumbers);
    } catch (error) {
      const reason = failureReason(error);
      if (reason) this.metrics.failed.inc({ reason }, events.length);
      throw asHttpError(error);
    }
  }

  private async decideAndPublish(
    events: readonly KytosEvent[],
    exactNumbers: boolean,
  ): Promise<IngestOutcome> {
    const receivedAt = new Date();
    const { maxRecordBytes } = this.config.kafka;
    const envelopes: EventEnvelope[] = [];
    events.forEach((event, index) => {
      if (!this.filters.decide(event.name)) return;
      const envelope = this.envelopeOf(event, index, receivedAt, exactNumbers);
      if (envelope.size > maxRecordBytes) {
        throw new PayloadTooLargeException({
          message: `event ${index} is ${envelope.size} bytes as a Kafka record; KAFKA_MAX_RECORD_BYTES allows ${maxRecordBytes}`,
          details: [{ index, field: 'content', reason: 'too large for one Kafka record' }],
        });
      }
      envelopes.push(envelope);
    });
    const filtered = events.length - envelopes.length;
    this.metrics.permitted.inc(envelopes.length);
    this.metrics.filtered.inc(filtered);
    await this.publisher.publish(envelopes);
    const accepted = events.length;
    return this.publisher.mode === 'spool'
      ? { status: 202, body: { accepted, spooled: envelopes.length, filtered } }
      : { status: 200, body: { accepted, published: envelopes.length, filtered } };
  }

  private envelopeOf(
    event: KytosEvent,
    index: number,
    receivedAt: Date,
    exactNumbers: boolean,
  ): EventEnvelope {
    try {
      return EventEnvelope.fromEvent(event, this.config.kafka.recordKey, receivedAt, exactNumbers);
    } catch (error) {
      if (!(error instanceof UnserializableEventError)) throw error;
      throw new BadRequestException({
        message: `event ${index} is invalid: ${error.message}`,
        details: [{ index, field: 'content', reason: 'is nested too deeply to serialize' }],
      });
    }
  }
}

/** What the sender is told when its events could not be taken. */
function asHttpError(error: unknown): unknown {
  if (error instanceof BackpressureError) return new RetryLaterException(error.message, 1);
  if (!(error instanceof KafkaFailure)) return error;
  switch (error.kind) {
    case 'unavailable':
      return new RetryLaterException(
        `Kafka is unavailable, nothing was acknowledged: ${error.reason}`,
        5,
      );
    case 'unauthorized':
      return new RetryLaterException(
        `Kafka refuses this service's credentials or permissions (see KAFKA_SASL_*, KAFKA_TLS_*), nothing was acknowledged: ${error.reason}`,
        30,
      );
    case 'rejected':
      return new BadGatewayException(`Kafka refused the events: ${error.reason}`);
    case 'internal':
      return new InternalServerErrorException(
        'the events could not be published (an internal error, logged); nothing was acknowledged',
      );
  }
}

function failureReason(error: unknown): FailureReason | undefined {
  if (error instanceof PayloadTooLargeException) return 'too_large';
  if (error instanceof BackpressureError) return 'backpressure';
  if (error instanceof KafkaFailure) return error.kind;
  return undefined;
}
