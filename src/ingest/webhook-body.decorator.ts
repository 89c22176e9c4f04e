import { createParamDecorator, ExecutionContext, UnauthorizedException } from '@nestjs/common';
import { isTraceparent, isTracestate, type TraceContext } from '../tracing/index.js';
import { mediaTypeOf, type WebhookRequest } from './webhook-request.js';

/** The parsed webhook body with what the headers say about it. */
export interface WebhookBody {
  body: unknown;
  /** The Content-Type without its parameters, in lower case. */
  mediaType: string;
  /** The request's W3C trace context; an invalid traceparent is ignored, as the W3C says. */
  trace?: TraceContext;
}

/**
 * The webhook's body for EventBatchPipe: what the request says about it travels with it. Only
 * a request the HTTP edge admitted (authenticated, its body verified) gets one: should the edge
 * ever not recognise a route as the webhook's, nothing unauthenticated reaches the handler.
 */
export const WebhookBatch = createParamDecorator(
  (_: unknown, context: ExecutionContext): WebhookBody => {
    const request = context.switchToHttp().getRequest<WebhookRequest>();
    if (request.webhook !== true) {
      throw new UnauthorizedException('this request did not pass the webhook authentication');
    }
    const { traceparent, tracestate } = request.headers;
    return {
      body: request.body,
      mediaType: mediaTypeOf(request.headers['content-type']),
      trace: isTraceparent(traceparent)
        ? { traceparent, tracestate: isTracestate(tracestate) ? tracestate : undefined }
        : undefined,
    };
  },
);
