import { Inject, Injectable } from '@nestjs/common';
import { EventContentCheck } from '../contract/index.js';
import { EventRoute, FilterService, RulesUnavailableError } from '../filters/index.js';
import {
  KafkaFailure,
  kafkaSettings,
  type KafkaSettings,
  BackpressureError,
  RecordFit,
} from '../kafka/index.js';
import { exactDigitsOf, stringifyExactInSlices } from '../json/index.js';
import { EventMetrics, FailureReason } from '../metrics/index.js';
import {
  Delivery,
  DeliveryReceipt,
  EnvelopeOptions,
  EventEnvelope,
  publisherSettings,
  type PublisherSettings,
  UnserializableEventError,
} from '../publisher/index.js';
import { EventTracer, type PublishSpan } from '../tracing/index.js';
import { DedupeWindow } from './dedupe-window.js';
import { ingestSettings, type IngestSettings } from './ingest.settings.js';
import { EventTooLargeError, InvalidEventError } from './ingest-errors.js';
import { dedupeKeyOf, type EventBatch, type KytosEvent } from './kytos-event.js';

/** The path of one webhook request: decide each event, serialize the permitted ones, deliver. */
@Injectable()
export class IngestService {
  /** Ids published lately, so that a sender's retry is not published again; none when off. */
  private readonly dedupe: DedupeWindow | undefined;
  /** How every record is written, from the configuration. */
  private readonly recordOptions: Omit<EnvelopeOptions, 'topic'>;
  /** The options of a cached decision's route, made once rather than for every event. */
  private readonly optionsByRoute = new WeakMap<EventRoute, EnvelopeOptions>();

  constructor(
    @Inject(ingestSettings.token) settings: IngestSettings,
    @Inject(publisherSettings.token) publishing: PublisherSettings,
    @Inject(kafkaSettings.token) private readonly kafka: KafkaSettings,
    private readonly filters: FilterService,
    private readonly delivery: Delivery,
    private readonly metrics: EventMetrics,
    private readonly tracer: EventTracer,
    private readonly fit: RecordFit,
    private readonly contentCheck: EventContentCheck,
  ) {
    const { recordKey, recordFormat, cloudEventsSource } = publishing;
    this.recordOptions = {
      recordKey,
      cloudEventsSource: recordFormat === 'cloudevents' ? cloudEventsSource : undefined,
    };
    const { dedupeWindowSeconds, dedupeMaxIds } = settings;
    this.dedupe =
      dedupeWindowSeconds > 0
        ? new DedupeWindow(dedupeWindowSeconds * 1000, dedupeMaxIds)
        : undefined;
    if (this.dedupe) {
      const window = this.dedupe;
      metrics.gauge({
        name: 'kafka_events_dedupe_ids',
        help: 'Event ids remembered against retries (at most DEDUPE_MAX_IDS).',
        collect() {
          this.set(window.size);
        },
      });
    }
  }

  async ingest(batch: EventBatch): Promise<DeliveryReceipt> {
    const count = batch.events.length;
    this.metrics.received.inc(count);
    for (const { name } of batch.events) this.metrics.byName.count('received', name);
    if (!this.filters.ready) {
      // Deciding before every rule is loaded could let out what a deny rule stops.
      this.metrics.failed.inc({ reason: 'not_ready' }, count);
      throw new RulesUnavailableError('the permission rules are still loading; nothing was taken');
    }
    try {
      return await this.decideAndDeliver(batch);
    } catch (error) {
      const reason = failureReason(error);
      if (reason) this.metrics.failed.inc({ reason }, count);
      throw error;
    }
  }

  private async decideAndDeliver({ events, trace }: EventBatch): Promise<DeliveryReceipt> {
    const receivedAt = new Date();
    const { maxRecordBytes } = this.kafka;
    const envelopes: EventEnvelope[] = [];
    // Ids the sender gave to the events published here: remembered once they are safe.
    const publishedIds: string[] = [];
    const idsInRequest = new Set<string>();
    const spans: PublishSpan[] = [];
    // Only records larger than their topic's limit uncompressed have a check to wait for.
    const fits: Promise<{ index: number; problem: string } | undefined>[] = [];
    let duplicates = 0;
    try {
      for (const [index, event] of events.entries()) {
        // Decided first: only what is published claims its id, so a denied event cannot make
        // an allowed one with the same id look like a duplicate.
        const route = this.filters.decide(event.name);
        if (!route) continue;
        this.checkContent(event, index);
        const dedupeKey = this.dedupe && dedupeKeyOf(event);
        if (this.dedupe && dedupeKey !== undefined) {
          if (idsInRequest.has(dedupeKey) || this.dedupe.has(dedupeKey)) {
            duplicates++;
            continue;
          }
          idsInRequest.add(dedupeKey);
        }
        const span = this.tracer.begin(event.trace ?? trace, event, route.topic);
        if (span) spans.push(span);
        const options = this.optionsFor(route);
        // A big content is written in slices, so that it holds the event loop no longer than one.
        const contentJson = await this.contentJsonOf(event, index);
        const envelope = this.envelopeOf(
          { ...event, contentJson },
          index,
          receivedAt,
          span ? { ...options, traceHeaders: span.headers } : options,
        );
        const { size } = envelope;
        if (size > maxRecordBytes) {
          throw new EventTooLargeError(
            `event ${index} is ${size} bytes as a Kafka record, uncompressed; KAFKA_MAX_RECORD_BYTES allows ${maxRecordBytes}`,
            [{ index, field: 'content', reason: 'too large for one Kafka record' }],
          );
        }
        const fit = this.fit.problem(envelope);
        if (fit) fits.push(fit.then((problem) => (problem ? { index, problem } : undefined)));
        envelopes.push(envelope);
        if (dedupeKey !== undefined) publishedIds.push(dedupeKey);
      }
      await this.assertFit(fits);
      const tooLarge = this.delivery.tooLarge(envelopes);
      if (tooLarge) {
        throw new EventTooLargeError(
          `the request can never be taken whole: ${tooLarge}; send its events in smaller requests`,
        );
      }
      const filtered = events.length - envelopes.length - duplicates;
      this.metrics.permitted.inc(envelopes.length);
      for (const { name } of envelopes) this.metrics.byName.count('permitted', name);
      this.metrics.filtered.inc(filtered);
      this.metrics.duplicates.inc(duplicates);
      await this.delivery.publish(envelopes);
      for (const span of spans) span.end();
      this.dedupe?.remember(publishedIds);
      return this.delivery.receipt({
        accepted: events.length,
        delivered: envelopes.length,
        filtered,
        duplicates,
      });
    } catch (error) {
      for (const span of spans) span.end(error);
      throw error;
    }
  }

  /** EVENT_SCHEMA_VALIDATION=enforce: a content its family's schema refuses fails the request. */
  private checkContent({ name, content }: KytosEvent, index: number): void {
    const mismatch = this.contentCheck.refusalOf(name, content);
    if (!mismatch) return;
    const { schema, instancePath, schemaPath, message } = mismatch;
    throw new InvalidEventError(
      `event ${index} (${name}) does not match its content schema ${schema}: content${instancePath} ${message} (schema ${schemaPath})`,
      [{ index, field: `content${instancePath}`, reason: `${message} (schema ${schemaPath})` }],
    );
  }

  /** The first record Kafka would refuse for its size, compressed, refused here with a 413. */
  private async assertFit(
    fits: readonly Promise<{ index: number; problem: string } | undefined>[],
  ): Promise<void> {
    if (fits.length === 0) return;
    const misfit = (await Promise.all(fits)).find((fit) => fit !== undefined);
    if (!misfit) return;
    const { index, problem } = misfit;
    throw new EventTooLargeError(`event ${index} ${problem}`, [
      { index, field: 'content', reason: 'too large for its topic' },
    ]);
  }

  private optionsFor(route: EventRoute): EnvelopeOptions {
    let options = this.optionsByRoute.get(route);
    if (!options) {
      options = { ...this.recordOptions, ...envelopeRouteOf(route) };
      this.optionsByRoute.set(route, options);
    }
    return options;
  }

  private async contentJsonOf({ content }: KytosEvent, index: number): Promise<string> {
    try {
      return await stringifyExactInSlices(content);
    } catch (error) {
      if (!(error instanceof RangeError)) throw error;
      throw new InvalidEventError(
        `event ${index} is invalid: its record content is nested too deeply to serialize`,
        [{ index, field: 'content', reason: 'is nested too deeply to serialize' }],
      );
    }
  }

  private envelopeOf(
    event: KytosEvent & { contentJson: string },
    index: number,
    receivedAt: Date,
    options: EnvelopeOptions,
  ): EventEnvelope {
    try {
      return EventEnvelope.fromEvent(event, receivedAt, options);
    } catch (error) {
      if (!(error instanceof UnserializableEventError)) throw error;
      throw new InvalidEventError(`event ${index} is invalid: its record ${error.message}`, [
        { index, field: error.field, reason: error.reason },
      ]);
    }
  }
}

/**
 * A rule's topic, and its key: the string or number its JSON Pointer finds in the event (a long
 * number digit for digit), else the event name, so that events without the entity stay in order
 * by name.
 */
function envelopeRouteOf({ topic, key }: EventRoute): Pick<EnvelopeOptions, 'topic' | 'keyOf'> {
  return {
    topic,
    keyOf:
      key &&
      ((event) => {
        const value = key.resolve(event);
        if (typeof value === 'number') return String(value);
        if (typeof value === 'string') return exactDigitsOf(value) ?? value;
        return event.name;
      }),
  };
}

function failureReason(error: unknown): FailureReason | undefined {
  if (error instanceof EventTooLargeError) return 'too_large';
  if (error instanceof BackpressureError) return 'backpressure';
  if (error instanceof KafkaFailure) return error.kind;
  return undefined;
}
