import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { JsonRequest } from '../http/json-body.js';

/** The parsed webhook body with what the body reader learnt while parsing it. */
export interface WebhookBody {
  body: unknown;
  exactNumbers: boolean;
}

/** The webhook's body for EventBatchPipe: the exact-number flag travels with it, not beside it. */
export const WebhookBatch = createParamDecorator(
  (_: unknown, context: ExecutionContext): WebhookBody => {
    const request = context.switchToHttp().getRequest<JsonRequest>();
    return { body: request.body, exactNumbers: request.exactNumbers === true };
  },
);
