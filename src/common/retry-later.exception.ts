import { HttpException, HttpStatus } from '@nestjs/common';

/** One problem of a refused request, as the error shape lists it (ErrorDetailDto). */
export interface ErrorDetail {
  index?: number;
  field: string;
  reason: string;
}

/**
 * An answer that tells the sender when to come back (Retry-After), as Kytos' forwarder honours
 * it: 503 by default, 429 for a client over its rate.
 */
export class RetryLaterException extends HttpException {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
    details?: ErrorDetail[],
    status: HttpStatus = HttpStatus.SERVICE_UNAVAILABLE,
  ) {
    super(details ? { message, details } : message, status);
  }
}
