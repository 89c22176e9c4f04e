import { Injectable, PipeTransform } from '@nestjs/common';
import { validateSync } from 'class-validator';
import { AppConfig } from '../config/app-config.js';
import { originalOf } from '../http/exact-json.js';
import { validationProblems } from '../http/validation-problems.js';
import { KytosEventDto } from './dto/kytos-event.dto.js';
import { EventProblem, EventTooLargeError, InvalidEventError } from './ingest-errors.js';
import type { EventBatch, KytosEvent } from './kytos-event.js';
import type { WebhookBody } from './webhook-body.decorator.js';

/** A rejected batch lists at most this many problems: enough to fix, small enough to read. */
const MAX_PROBLEMS = 20;

const KNOWN_FIELDS = new Set(['name', 'content', 'id', 'timestamp']);

/**
 * Reads a webhook body: one event or an array of them. Everything is checked before anything is
 * published, so a batch is taken whole or not at all.
 */
@Injectable()
export class EventBatchPipe implements PipeTransform<WebhookBody, EventBatch> {
  private readonly maxEvents: number;

  constructor(config: AppConfig) {
    this.maxEvents = config.ingest.maxBatchEvents;
  }

  transform({ body, exactNumbers }: WebhookBody): EventBatch {
    if (typeof body !== 'object' || body === null) {
      throw new InvalidEventError(
        'the body must be a JSON object (one event) or an array of events',
      );
    }
    const items: unknown[] = Array.isArray(body) ? body : [body];
    if (items.length === 0) throw new InvalidEventError('the batch holds no events');
    if (items.length > this.maxEvents) {
      throw new EventTooLargeError(
        `the batch holds ${items.length} events; at most ${this.maxEvents} (INGEST_MAX_BATCH_EVENTS) are taken at once`,
      );
    }
    const problems: EventProblem[] = [];
    const events = items.map((item, index) => {
      const event = toDto(item);
      const found = event
        ? [...unknownFieldsOf(item as object), ...problemsOf(event)]
        : [{ field: 'event', reason: 'must be a JSON object' }];
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
    return { events: events as KytosEvent[], exactNumbers };
  }
}

/** Only the known fields are copied (shallowly: a large content is never walked or cloned). */
function toDto(item: unknown): KytosEventDto | undefined {
  if (typeof item !== 'object' || item === null || Array.isArray(item)) return undefined;
  const { name, content, id, timestamp } = item as Record<string, unknown>;
  // A long number carried exactly is a string until serialization: the type checks see the number.
  return Object.assign(new KytosEventDto(), {
    name: originalOf(name),
    content: originalOf(content),
    id: originalOf(id),
    timestamp: originalOf(timestamp),
  });
}

/** KytosEventDto's messages leave the field out (the details name it): an absent one is "required". */
function problemsOf(event: KytosEventDto): EventProblem[] {
  return validationProblems(validateSync(event)).map((problem) =>
    event[problem.field as keyof KytosEventDto] === undefined
      ? { field: problem.field, reason: 'is required' }
      : problem,
  );
}

/** A misspelt field (`timestamp` as `time_stamp`) is refused rather than silently dropped. */
function unknownFieldsOf(item: object): EventProblem[] {
  return Object.keys(item)
    .filter((key) => !KNOWN_FIELDS.has(key))
    .map((key) => ({ field: key.slice(0, 64), reason: 'is not a field of a Kytos event' }));
}
