import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import {
  defaultTextMapGetter,
  defaultTextMapSetter,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Tracer,
} from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { tracingSettings, type TracingSettings } from './tracing.settings.js';
import type { TraceContext } from './trace-context.js';

/** The span of one event's publication, and the trace headers its record carries. */
export interface PublishSpan {
  /** traceparent (and tracestate): the span's own context, or without an exporter the event's. */
  readonly headers: Readonly<Record<string, string>>;
  /** Kafka acknowledged the record (or the spool holds it), or `error` says why not. */
  end(error?: unknown): void;
}

const propagator = new W3CTraceContextPropagator();
const SHUTDOWN_FLUSH_MS = 2_000;

/**
 * Continues the trace an event belongs to. With an OTLP endpoint configured, each event that
 * carries a trace context gets a producer span, child of that context, exported in batches off
 * the request path; its record's traceparent names that span. Without one, nothing is recorded
 * and the record carries the event's trace context as it came. Events without a trace context
 * start none: the SDK is not a tax on every event.
 */
@Injectable()
export class EventTracer implements OnApplicationShutdown {
  private readonly provider: TracerProvider | undefined;
  private readonly tracer: Tracer | undefined;

  constructor(@Inject(tracingSettings.token) settings: TracingSettings) {
    const { otlpTracesEndpoint, serviceName } = settings;
    if (otlpTracesEndpoint === undefined) return;
    this.provider = new TracerProvider({
      resource: resourceFromAttributes({ 'service.name': serviceName }),
      spanProcessors: [
        new BatchSpanProcessor({ exporter: new OTLPTraceExporter({ url: otlpTracesEndpoint }) }),
      ],
    });
    this.tracer = this.provider.getTracer('kafka-events');
  }

  /** undefined when the event carries no trace context. */
  begin(
    context: TraceContext | undefined,
    event: { name: string; id?: string },
    topic: string,
  ): PublishSpan | undefined {
    if (!context) return undefined;
    if (!this.tracer) return { headers: headersOf(context), end: () => undefined };
    const parent = propagator.extract(ROOT_CONTEXT, { ...context }, defaultTextMapGetter);
    const span = this.tracer.startSpan(
      `send ${topic}`,
      {
        kind: SpanKind.PRODUCER,
        attributes: {
          'messaging.system': 'kafka',
          'messaging.operation.type': 'send',
          'messaging.destination.name': topic,
          'kytos.event.name': event.name,
          ...(event.id !== undefined && { 'messaging.message.id': event.id }),
        },
      },
      parent,
    );
    const headers: Record<string, string> = {};
    propagator.inject(trace.setSpan(parent, span), headers, defaultTextMapSetter);
    return {
      headers,
      end: (error?: unknown) => {
        if (error !== undefined) {
          span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
        }
        span.end();
      },
    };
  }

  /**
   * The spans still batched are sent before the process ends, for at most SHUTDOWN_FLUSH_MS: a
   * collector that does not answer must not hold the shutdown (spans are worth less than that).
   */
  async onApplicationShutdown(): Promise<void> {
    if (!this.provider) return;
    let timer: NodeJS.Timeout | undefined;
    const giveUp = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, SHUTDOWN_FLUSH_MS);
    });
    try {
      await Promise.race([this.provider.shutdown(), giveUp]);
    } finally {
      clearTimeout(timer);
    }
  }
}

function headersOf({ traceparent, tracestate }: TraceContext): Record<string, string> {
  return tracestate === undefined ? { traceparent } : { traceparent, tracestate };
}
