import { BadRequestException, PayloadTooLargeException } from '@nestjs/common';
import { validateSync } from 'class-validator';
import type { ErrorDetailDto } from '../http/error-response.dto.js';
import { originalOf } from '../http/exact-json.js';
import type { KytosEvent } from '../publisher/index.js';
import { KytosEventDto } from './dto/kytos-event.dto.js';

/** A rejected batch lists at most this many problems: enough to fix, small enough to read. */
const MAX_DETAILS = 20;

/**
 * Reads a webhook body: one event or an array of them. Everything is checked before anything is
 * published, so a batch is taken whole or not at all.
 */
export function readEventBatch(body: unknown, maxEvents: number): KytosEvent[] {
  if (typeof body !== 'object' || body === null) {
    throw new BadRequestException(
      'the body must be a JSON object (one event) or an array of events',
    );
  }
  const items: unknown[] = Array.isArray(body) ? body : [body];
  if (items.length === 0) throw new BadRequestException('the batch holds no events');
  if (items.length > maxEvents) {
    throw new PayloadTooLargeException(
      `the batch holds ${items.length} events; at most ${maxEvents} (INGEST_MAX_BATCH_EVENTS) are taken at once`,
    );
  }
  const details: ErrorDetailDto[] = [];
  const events = items.map((item, index) => {
    const event = toDto(item);
    const problems = event
      ? [...unknownFieldsOf(item as object), ...problemsOf(event)]
      : [{ field: 'event', reason: 'must be a JSON object' }];
    for (const reason of problems) {
      details.push({ index, ...reason });
    }
    return event;
  });
  if (details.length > 0) {
    const [first] = details;
    throw new BadRequestException({
      message:
        `event ${first?.index} is invalid: ${first?.field} ${first?.reason}` +
        (details.length > 1 ? ` (and ${details.length - 1} more problem(s))` : ''),
      details: details.slice(0, MAX_DETAILS),
    });
  }
  return events as KytosEvent[];
}

const KNOWN_FIELDS = new Set(['name', 'content', 'id', 'timestamp']);

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

/** A misspelt field (`timestamp` as `time_stamp`) is refused rather than silently dropped. */
function unknownFieldsOf(item: object): { field: string; reason: string }[] {
  return Object.keys(item)
    .filter((key) => !KNOWN_FIELDS.has(key))
    .map((key) => ({ field: key.slice(0, 64), reason: 'is not a field of a Kytos event' }));
}

/** The type is named before any other problem of the same field: "must be a string", not "too long". */
const CONSTRAINT_ORDER = ['isString', 'isObject', 'isNotEmpty', 'maxLength', 'isUuid', 'isRFC3339'];

function problemsOf(event: KytosEventDto): { field: string; reason: string }[] {
  return validateSync(event).map((error) => {
    const constraints = error.constraints ?? {};
    const first = CONSTRAINT_ORDER.find((name) => name in constraints);
    const reason = first ? constraints[first] : Object.values(constraints)[0];
    return {
      field: error.property,
      reason: error.value === undefined ? 'is required' : (reason ?? 'is invalid'),
    };
  });
}
