import { Inject, Injectable, PipeTransform } from '@nestjs/common';
import { ingestSettings, type IngestSettings } from './ingest.settings.js';
import { originalOf } from '../json/index.js';
import { dtoProblems } from './validation-problems.js';
import { isTraceparent } from '../tracing/index.js';
import { readCloudEvent, ReadEvent } from './cloud-event-reader.js';
import { KytosEventDto } from './dto/kytos-event.dto.js';
import { EventProblem, EventTooLargeError, InvalidEventError } from './ingest-errors.js';
import type { EventBatch, KytosEvent } from './kytos-event.js';
import type { WebhookBody } from './webhook-body.decorator.js';

/** A rejected batch lists at most this many problems: enough to fix, small enough to read. */
const MAX_PROBLEMS = 20;

const KNOWN_FIELDS = new Set(['name', 'content', 'id', 'timestamp', 'trace_parent']);

export const CLOUD_EVENT_TYPE = 'application/cloudevents+json';
export const CLOUD_EVENT_BATCH_TYPE = 'application/cloudevents-batch+json';

/**
 * Reads a webhook body: one Kytos event or an array of them, one CloudEvent
 * (application/cloudevents+json) or an array of them (application/cloudevents-batch+json).
 * Everything is checked before anything is published, so a batch is taken whole or not at all.
 */
@Injectable()
export class EventBatchPipe implements PipeTransform<WebhookBody, EventBatch> {
  private readonly maxEvents: number;

  constructor(@Inject(ingestSettings.token) settings: IngestSettings) {
    this.maxEvents = settings.maxBatchEvents;
  }

  transform({ body, mediaType, trace }: WebhookBody): EventBatch {
    const items = itemsOf(body, mediaType);
    if (items.length === 0) throw new InvalidEventError('the batch holds no events');
    if (items.length > this.maxEvents) {
      throw new EventTooLargeError(
        `the batch holds ${items.length} events; at most ${this.maxEvents} (INGEST_MAX_BATCH_EVENTS) are taken at once`,
      );
    }
    const read =
      mediaType === CLOUD_EVENT_TYPE || mediaType === CLOUD_EVENT_BATCH_TYPE
        ? readCloudEvent
        : readKytosEvent;
    const problems: EventProblem[] = [];
    const events = items.map((item, index) => {
      const { event, problems: found } = read(item);
      for (const problem of found) problems.push({ index, ...problem });
      return event;
    });
    if (problems.length > 0) {
      const [first] = problems;
      throw new InvalidEventError(
        `event ${first?.index} is invalid: ${first?.field} ${first?.reason}` +
          (problems.length > 1 ? ` (and ${problems.length - 1} more problem(s))` : ''),
        problems.slice(0, MAX_PROBLEMS),
      );
    }
    return { events: events as KytosEvent[], trace };
  }
}

/** The events of a body, by what its media type says it holds. */
function itemsOf(body: unknown, mediaType: string): unknown[] {
  if (mediaType === CLOUD_EVENT_TYPE) {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw new InvalidEventError(
        `an ${CLOUD_EVENT_TYPE} body is one CloudEvent, a JSON object (send arrays as ${CLOUD_EVENT_BATCH_TYPE})`,
      );
    }
    return [body];
  }
  if (mediaType === CLOUD_EVENT_BATCH_TYPE) {
    if (!Array.isArray(body)) {
      throw new InvalidEventError(
        `an ${CLOUD_EVENT_BATCH_TYPE} body is a JSON array of CloudEvents`,
      );
    }
    return body;
  }
  if (typeof body !== 'object' || body === null) {
    throw new InvalidEventError('the body must be a JSON object (one event) or an array of events');
  }
  return Array.isArray(body) ? body : [body];
}

/** A Kytos event; only the known fields are copied (shallowly: a large content is never walked). */
function readKytosEvent(item: unknown): ReadEvent {
  if (typeof item !== 'object' || item === null || Array.isArray(item)) {
    return { problems: [{ field: 'event', reason: 'must be a JSON object' }] };
  }
  const { name, content, id, timestamp, trace_parent } = item as Record<string, unknown>;
  // A long number carried exactly is a string until serialization: the type checks see the number.
  const dto = Object.assign(new KytosEventDto(), {
    name: originalOf(name),
    content: originalOf(content),
    id: originalOf(id),
    timestamp: originalOf(timestamp),
    trace_parent: originalOf(trace_parent),
  });
  const problems = [...unknownFieldsOf(item), ...dtoProblems(dto)];
  if (problems.length > 0) return { problems };
  const event: KytosEvent = {
    name: dto.name,
    content: dto.content,
    id: dto.id ?? undefined,
    timestamp: dto.timestamp ?? undefined,
  };
  if (isTraceparent(dto.trace_parent)) event.trace = { traceparent: dto.trace_parent };
  return { event, problems: [] };
}

/** A misspelt field (`timestamp` as `time_stamp`) is refused rather than silently dropped. */
function unknownFieldsOf(item: object): EventProblem[] {
  return Object.keys(item)
    .filter((key) => !KNOWN_FIELDS.has(key))
    .map((key) => ({ field: key.slice(0, 64), reason: 'is not a field of a Kytos event' }));
}
