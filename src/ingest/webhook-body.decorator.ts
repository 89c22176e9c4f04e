import { createParamDecorator, ExecutionContext, UnauthorizedException } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { isTraceparent, isTracestate, type TraceContext } from '../tracing/index.js';
import { verifiedBodyOf } from './verified-body.js';
import { mediaTypeOf } from './webhook-request.js';

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
 * a body WebhookGuard verified is handed on: a route that lost its guard takes nothing.
 */
export const WebhookBatch = createParamDecorator(
  (_: unknown, context: ExecutionContext): WebhookBody => {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const verified = verifiedBodyOf(request);
    if (!verified) {
      throw new UnauthorizedException('this request did not pass the webhook authentication');
    }
    const { traceparent, tracestate } = request.headers;
    return {
      body: verified.body,
      mediaType: mediaTypeOf(request.headers['content-type']),
      trace: isTraceparent(traceparent)
        ? { traceparent, tracestate: isTracestate(tracestate) ? tracestate : undefined }
        : undefined,
    };
  },
);
