import { ServiceUnavailableException } from '@nestjs/common';
import type { ErrorDetailDto } from './error-response.dto.js';

/** 503 that tells the sender when to come back (Retry-After), as Kytos' forwarder honours it. */
export class RetryLaterException extends ServiceUnavailableException {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
    details?: ErrorDetailDto[],
  ) {
    super(details ? { message, details } : message);
  }
}
