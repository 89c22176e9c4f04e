import { originalOf } from '../json/index.js';
import { dtoProblems } from './validation-problems.js';
import { isTraceparent } from '../tracing/index.js';
import { CloudEventDto } from './dto/cloud-event.dto.js';
import type { EventProblem } from './ingest-errors.js';
import type { KytosEvent } from './kytos-event.js';

/** The attributes a CloudEvent is taken with; the optional ones the record carries in ce_ headers. */
const ATTRIBUTES = [
  'specversion',
  'id',
  'source',
  'type',
  'time',
  'datacontenttype',
  'dataschema',
  'subject',
  'data',
  'traceparent',
  'tracestate',
] as const;
const KNOWN = new Set<string>(ATTRIBUTES);
// datacontenttype is not among them: in binary mode it is content-type, which the record's JSON value sets.
const CARRIED = ['dataschema', 'subject'] as const;

export interface ReadEvent {
  event?: KytosEvent;
  problems: EventProblem[];
}

/**
 * One CloudEvent in the JSON format, read as the event the rules decide on: `type` its name,
 * `data` its content. Binary data (`data_base64`) and extension attributes beyond the trace
 * context are refused by name rather than dropped.
 */
export function readCloudEvent(item: unknown): ReadEvent {
  if (typeof item !== 'object' || item === null || Array.isArray(item)) {
    return { problems: [{ field: 'event', reason: 'must be a JSON object (a CloudEvent)' }] };
  }
  const fields = item as Record<string, unknown>;
  const dto = Object.assign(
    new CloudEventDto(),
    Object.fromEntries(ATTRIBUTES.map((name) => [name, originalOf(fields[name])])),
  );
  const problems: EventProblem[] = [
    ...Object.keys(fields)
      .filter((key) => !KNOWN.has(key))
      .map((key) => ({
        field: key.slice(0, 64),
        reason:
          key === 'data_base64'
            ? 'is not taken: the record carries data as JSON'
            : 'is not an attribute this service carries (extension attributes other than traceparent and tracestate are refused)',
      })),
    ...dtoProblems(dto),
  ];
  if (problems.length > 0) return { problems };
  const attributes: Record<string, string> = {};
  for (const name of CARRIED) {
    const value = dto[name];
    if (typeof value === 'string') attributes[name] = value;
  }
  const event: KytosEvent = {
    name: dto.type,
    content: dto.data ?? {},
    id: dto.id,
    timestamp: dto.time ?? undefined,
    cloudEvent: { source: dto.source, attributes },
  };
  if (isTraceparent(dto.traceparent)) {
    event.trace = { traceparent: dto.traceparent, tracestate: dto.tracestate ?? undefined };
  }
  return { event, problems: [] };
}
