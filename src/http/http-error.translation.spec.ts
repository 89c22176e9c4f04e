import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HttpException } from '@nestjs/common';
import kafkajs from 'kafkajs';
import {
  InvalidRuleError,
  PresetRuleError,
  RuleConflictError,
  RuleNotFoundError,
  RulesUnavailableError,
} from '../filters/index.js';
import { CountersWentBackError, TooManyForwardersError } from '../forwarders/index.js';
import { EventTooLargeError, InvalidEventError } from '../ingest/index.js';
import { KafkaFailure, BackpressureError } from '../kafka/index.js';

import { toHttpException } from './http-error.translation.js';
import { RetryLaterException } from '../common/index.js';

function answer(error: unknown): { status: number; retryAfter?: number; body: unknown } {
  const exception = toHttpException(error);
  assert.ok(exception instanceof HttpException, `${String(error)} has an HTTP answer`);
  return {
    status: exception.getStatus(),
    retryAfter: exception instanceof RetryLaterException ? exception.retryAfterSeconds : undefined,
    body: exception.getResponse(),
  };
}

const kafkaError = (type: string) =>
  Object.assign(new kafkajs.KafkaJSProtocolError(type), { type });

describe('toHttpException', () => {
  it('gives each rule error its status', () => {
    assert.equal(answer(new RuleNotFoundError('x')).status, 404);
    assert.equal(answer(new RuleConflictError('exists')).status, 409);
    assert.equal(answer(new PresetRuleError('preset')).status, 403);
    assert.equal(answer(new InvalidRuleError('bad')).status, 400);
    assert.deepEqual(answer(new RulesUnavailableError('loading')).status, 503);
    assert.equal(answer(new RulesUnavailableError('loading')).retryAfter, 1);
  });

  it('refuses a forwarder past FORWARDERS_MAX with 429, a count going back with 409', () => {
    assert.equal(answer(new TooManyForwardersError(64)).status, 429);
    assert.equal(answer(new TooManyForwardersError(64)).retryAfter, undefined);
    assert.equal(answer(new CountersWentBackError('kytos-1', 'forwarded')).status, 409);
  });

  it('keeps the problems of an invalid or too large event as details', () => {
    const problems = [{ index: 1, field: 'name', reason: 'must be a string' }];
    assert.deepEqual(answer(new InvalidEventError('event 1 is invalid', problems)), {
      status: 400,
      retryAfter: undefined,
      body: { message: 'event 1 is invalid', details: problems },
    });
    assert.equal(answer(new EventTooLargeError('too many')).status, 413);
  });

  it('tells a sender when to come back from backpressure and each Kafka failure', () => {
    assert.deepEqual(
      [
        answer(new BackpressureError('full')).status,
        answer(new BackpressureError('full')).retryAfter,
      ],
      [503, 1],
    );
    const unavailable = answer(
      KafkaFailure.from(new kafkajs.KafkaJSConnectionError('ECONNREFUSED')),
    );
    assert.equal(unavailable.status, 503);
    assert.equal(unavailable.retryAfter, 5);
    assert.match(JSON.stringify(unavailable.body), /nothing was acknowledged: ECONNREFUSED/);
    const unauthorized = answer(KafkaFailure.from(kafkaError('TOPIC_AUTHORIZATION_FAILED')));
    assert.deepEqual([unauthorized.status, unauthorized.retryAfter], [503, 30]);
    assert.equal(answer(KafkaFailure.from(kafkaError('MESSAGE_TOO_LARGE'))).status, 502);
    const internal = answer(KafkaFailure.from(new TypeError('secret detail')));
    assert.equal(internal.status, 500);
    assert.doesNotMatch(JSON.stringify(internal.body), /secret detail/);
  });

  it('leaves errors nobody expected to the filter', () => {
    assert.equal(toHttpException(new Error('boom')), undefined);
  });
});
