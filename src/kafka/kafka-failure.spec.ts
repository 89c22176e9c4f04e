import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import kafkajs from 'kafkajs';
import { KafkaFailure } from './kafka-failure.js';

const {
  KafkaJSAggregateError,
  KafkaJSConnectionError,
  KafkaJSNumberOfRetriesExceeded,
  KafkaJSProtocolError,
  KafkaJSSASLAuthenticationError,
} = kafkajs;

function protocolError(type: string, retriable: boolean): Error {
  const cause = { type, code: 1, retriable, message: `${type} happened` };
  return new KafkaJSProtocolError(cause as unknown as Error);
}

describe('KafkaFailure', () => {
  it('calls a refused connection, even behind kafkajs wrappers, unavailable', () => {
    const refused = new KafkaJSConnectionError('Connection error: connect ECONNREFUSED');
    const wrapped = new KafkaJSNumberOfRetriesExceeded(refused, { retryCount: 1, retryTime: 100 });
    assert.equal(KafkaFailure.from(wrapped).kind, 'unavailable');
    assert.ok(KafkaFailure.isTransient(wrapped));
    assert.match(KafkaFailure.from(wrapped).reason, /ECONNREFUSED/);
  });

  it('calls a moving leader unavailable', () => {
    assert.ok(KafkaFailure.isTransient(protocolError('NOT_LEADER_OR_FOLLOWER', true)));
  });

  it('calls a record too large rejected, wherever it hides', () => {
    const tooLarge = protocolError('MESSAGE_TOO_LARGE', false);
    const aggregate = new KafkaJSAggregateError('several', [
      protocolError('NOT_LEADER_OR_FOLLOWER', true),
      tooLarge,
    ]);
    const failure = KafkaFailure.from(aggregate);
    assert.equal(failure.kind, 'rejected');
    assert.match(failure.reason, /^MESSAGE_TOO_LARGE/);
  });

  it('calls refused credentials or permissions unauthorized, not retried and not the records fault', () => {
    const badPassword = new (
      KafkaJSSASLAuthenticationError as unknown as new (message: string) => Error
    )('SASL SCRAM SHA256 authentication failed: bad password');
    const wrapped = new KafkaJSNumberOfRetriesExceeded(badPassword, {
      retryCount: 0,
      retryTime: 100,
    });
    assert.equal(KafkaFailure.from(wrapped).kind, 'unauthorized');
    assert.match(KafkaFailure.from(wrapped).reason, /authentication failed/);
    assert.ok(!KafkaFailure.isTransient(wrapped));
    assert.equal(
      KafkaFailure.from(protocolError('TOPIC_AUTHORIZATION_FAILED', false)).kind,
      'unauthorized',
    );
  });

  it('does not retry a fault of its own (a plain TypeError)', () => {
    assert.equal(KafkaFailure.from(new TypeError('x is undefined')).kind, 'internal');
    assert.ok(!KafkaFailure.isTransient(new TypeError('x is undefined')));
  });
});
