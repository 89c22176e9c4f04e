import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import { mediaTypeOf, type JsonRequest } from '../http/json-body.js';
import { isTraceparent, isTracestate, type TraceContext } from '../tracing/index.js';

/** The parsed webhook body with what the body reader and the headers say about it. */
export interface WebhookBody {
  body: unknown;
  exactNumbers: boolean;
  /** The Content-Type without its parameters, in lower case. */
  mediaType: string;
  /** The request's W3C trace context; an invalid traceparent is ignored, as the W3C says. */
  trace?: TraceContext;
}

/** The webhook's body for EventBatchPipe: what the request says about it travels with it. */
export const WebhookBatch = createParamDecorator(
  (_: unknown, context: ExecutionContext): WebhookBody => {
    const request = context.switchToHttp().getRequest<JsonRequest>();
    const { traceparent, tracestate } = request.headers;
    return {
      body: request.body,
      exactNumbers: request.exactNumbers === true,
      mediaType: mediaTypeOf(request.headers['content-type']),
      trace: isTraceparent(traceparent)
        ? { traceparent, tracestate: isTracestate(tracestate) ? tracestate : undefined }
        : undefined,
    };
  },
);
