/** A W3C Trace Context (https://www.w3.org/TR/trace-context/): what a record's trace continues. */
export interface TraceContext {
  traceparent: string;
  tracestate?: string;
}

/**
 * Version 00 of the traceparent header: version, trace id, parent span id, flags. What the API
 * takes; a traceparent of all-zero ids has this shape too, and is ignored as the W3C says.
 */
export const TRACEPARENT_PATTERN = '^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$';
const TRACEPARENT = new RegExp(TRACEPARENT_PATTERN);

/** At most 512 printable ASCII characters, as the W3C caps what a vendor must carry on. */
export const TRACESTATE_PATTERN = '^[\\x20-\\x7e]{1,512}$';
const TRACESTATE = new RegExp(TRACESTATE_PATTERN);

/** Whether `value` names a trace to continue: the shape, and neither id all zeros. */
export function isTraceparent(value: unknown): value is string {
  return (
    typeof value === 'string' &&
    TRACEPARENT.test(value) &&
    !value.startsWith('00-00000000000000000000000000000000-') &&
    !value.includes('-0000000000000000-')
  );
}

export function isTracestate(value: unknown): value is string {
  return typeof value === 'string' && TRACESTATE.test(value);
}
