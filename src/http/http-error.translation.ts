import {
  BadGatewayException,
  BadRequestException,
  ConflictException,
  ForbiddenException,
  HttpException,
  HttpStatus,
  InternalServerErrorException,
  NotFoundException,
  PayloadTooLargeException,
} from '@nestjs/common';
import { ReplayWindowFullError } from '../auth/index.js';
import {
  InvalidRuleError,
  PresetRuleError,
  RuleConflictError,
  RuleNotFoundError,
  RulesUnavailableError,
} from '../filters/index.js';
import {
  CountersWentBackError,
  RunSupersededError,
  TooManyForwardersError,
} from '../forwarders/index.js';
import { EventTooLargeError, InvalidEventError } from '../ingest/index.js';
import { KafkaFailure, BackpressureError } from '../kafka/index.js';

import { RetryLaterException } from '../common/index.js';

/**
 * The one place where the service's own errors become HTTP answers: features throw plain domain
 * errors, and only this table knows their status codes. Undefined for an error nobody expected
 * (the filter answers those with a bare 500).
 */
export function toHttpException(error: unknown): HttpException | undefined {
  if (error instanceof HttpException) return error;
  if (error instanceof InvalidEventError) {
    return new BadRequestException(withProblems(error.message, error.problems));
  }
  if (error instanceof EventTooLargeError) {
    return new PayloadTooLargeException(withProblems(error.message, error.problems));
  }
  if (error instanceof RuleNotFoundError) return new NotFoundException(error.message);
  if (error instanceof RuleConflictError) return new ConflictException(error.message);
  if (error instanceof PresetRuleError) return new ForbiddenException(error.message);
  if (error instanceof InvalidRuleError) return new BadRequestException(error.message);
  if (error instanceof RulesUnavailableError) return new RetryLaterException(error.message, 1);
  if (error instanceof BackpressureError) return new RetryLaterException(error.message, 1);
  if (error instanceof KafkaFailure) return fromKafkaFailure(error);
  if (error instanceof TooManyForwardersError) {
    return new HttpException(error.message, HttpStatus.TOO_MANY_REQUESTS);
  }
  if (error instanceof CountersWentBackError || error instanceof RunSupersededError) {
    return new ConflictException(error.message);
  }
  if (error instanceof ReplayWindowFullError) {
    return new RetryLaterException(error.message, error.retryAfterSeconds);
  }
  return undefined;
}

function withProblems(message: string, details: readonly object[]): string | object {
  return details.length > 0 ? { message, details } : message;
}

/** What a sender is told when Kafka failed its events: nothing of them was acknowledged. */
function fromKafkaFailure(failure: KafkaFailure): HttpException {
  switch (failure.kind) {
    case 'unavailable':
      return new RetryLaterException(
        `Kafka is unavailable, nothing was acknowledged: ${failure.reason}`,
        5,
      );
    case 'unauthorized':
      return new RetryLaterException(
        `Kafka refuses this service's credentials or permissions (see KAFKA_SASL_*, KAFKA_TLS_*), nothing was acknowledged: ${failure.reason}`,
        30,
      );
    case 'rejected':
      return new BadGatewayException(`Kafka refused the events: ${failure.reason}`);
    case 'internal':
      return new InternalServerErrorException(
        'the events could not be published (an internal error, logged); nothing was acknowledged',
      );
  }
}
