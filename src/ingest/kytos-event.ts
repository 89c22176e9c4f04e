import type { CloudEventOrigin } from '../publisher/index.js';
import type { TraceContext } from '../tracing/index.js';

/** An event as the webhook accepted it, from Kytos or as a CloudEvent: id and timestamp are optional. */
export interface KytosEvent {
  name: string;
  content: Record<string, unknown>;
  id?: string;
  timestamp?: string;
  /** The trace the event belongs to (Kytos' trace_parent, a CloudEvent's traceparent). */
  trace?: TraceContext;
  /** Set when the event came as a CloudEvent. */
  cloudEvent?: CloudEventOrigin;
}

/** The events of one webhook request, checked whole before any of them is published. */
export interface EventBatch {
  readonly events: readonly KytosEvent[];
  /** The request's own traceparent header, for the events that carry none. */
  readonly trace?: TraceContext;
}

/**
 * What names an event against a sender's retries: its id, and a CloudEvent's source with it
 * (CloudEvents ids are unique per source only).
 */
export function dedupeKeyOf(event: KytosEvent): string | undefined {
  if (event.id === undefined) return undefined;
  // A Kytos id is a UUID, whose letter case means nothing; a CloudEvent id is any string.
  return event.cloudEvent ? `${event.cloudEvent.source}\n${event.id}` : event.id.toLowerCase();
}
