// The tracing module's public face: other modules import from here, never from its files.
export { EventTracer, type PublishSpan } from './event-tracer.js';
export {
  isTraceparent,
  isTracestate,
  type TraceContext,
  TRACEPARENT_PATTERN,
  TRACESTATE_PATTERN,
} from './trace-context.js';
export { TracingModule } from './tracing.module.js';
export { tracingSettings, type TracingSettings } from './tracing.settings.js';
