import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EventMetrics } from '../metrics/index.js';
import { DeadLetters } from './dead-letters.js';
import { KafkaFailure } from './kafka-failure.js';
import type { OutgoingRecord } from './outgoing-record.js';
import type { Refusal } from './records-refused.js';
import { RetryPolicy } from './retry-policy.js';
import { connectionCut, refusedAs } from './kafka-answer.fixture.js';
import { testRecord } from './test-record.fixture.js';

const event = (name: string, topic?: string): OutgoingRecord => testRecord(name, { topic });

/** Kafka as the dead letter topic answers: each request gets the next answer (then success). */
function kafkaAnswering(...answers: Error[]) {
  const requests: string[] = [];
  const produce = (records: readonly OutgoingRecord[]): Promise<void> => {
    requests.push(...records.map(({ topic, name }) => `${topic}: ${name}`));
    const answer = answers.shift();
    return answer ? Promise.reject(answer) : Promise.resolve();
  };
  return { produce, requests };
}

const retry = new RetryPolicy({ retries: 2, initialDelayMs: 1, maxDelayMs: 2, deadlineMs: 60_000 });
const refusal = (): Refusal => ({ failure: KafkaFailure.refused('MESSAGE_TOO_LARGE: big') });

async function deadLettersCounted(metrics: EventMetrics): Promise<number> {
  return (await metrics.deadLetters.get()).values[0]?.value ?? 0;
}

describe('DeadLetters', () => {
  it('sends the letter to the dead letter topic, alone, and says so in the refusal', async () => {
    const kafka = kafkaAnswering(connectionCut());
    const metrics = new EventMetrics();
    const refused = refusal();
    await new DeadLetters(kafka.produce, 'dlq', retry, metrics).send(
      event('big'),
      refused,
      Date.now(),
    );
    assert.deepEqual(kafka.requests, [
      'dlq: big (MESSAGE_TOO_LARGE: big)',
      'dlq: big (MESSAGE_TOO_LARGE: big)',
    ]);
    assert.equal(refused.deadLetterTopic, 'dlq');
    assert.equal(await deadLettersCounted(metrics), 1);
  });

  it('sends the letter again without its value when the dead letter topic refuses it', async () => {
    const kafka = kafkaAnswering(refusedAs('MESSAGE_TOO_LARGE'));
    const refused = refusal();
    await new DeadLetters(kafka.produce, 'dlq', retry, new EventMetrics()).send(
      event('big'),
      refused,
      Date.now(),
    );
    assert.deepEqual(kafka.requests, [
      'dlq: big (MESSAGE_TOO_LARGE: big)',
      'dlq: big without value (MESSAGE_TOO_LARGE: big)',
    ]);
    assert.equal(refused.deadLetterTopic, 'dlq');
  });

  it('leaves the refusal as it was when no letter was taken', async () => {
    const metrics = new EventMetrics();
    const refusedTwice = kafkaAnswering(
      refusedAs('MESSAGE_TOO_LARGE'),
      refusedAs('MESSAGE_TOO_LARGE'),
    );
    const refused = refusal();
    await new DeadLetters(refusedTwice.produce, 'dlq', retry, metrics).send(
      event('big'),
      refused,
      Date.now(),
    );
    assert.equal(refusedTwice.requests.length, 2);
    assert.equal(refused.deadLetterTopic, undefined);
    const unreachable = kafkaAnswering(
      connectionCut(),
      connectionCut(),
      connectionCut(),
      connectionCut(),
    );
    const stillRefused = refusal();
    await new DeadLetters(unreachable.produce, 'dlq', retry, metrics).send(
      event('big'),
      stillRefused,
      Date.now(),
    );
    assert.equal(unreachable.requests.length, 3, 'the attempt and KAFKA_RETRIES (2) retries');
    assert.equal(stillRefused.deadLetterTopic, undefined);
    assert.equal(await deadLettersCounted(metrics), 0);
  });

  it("stops at the deadline of the batch's first attempt", async () => {
    const kafka = kafkaAnswering(connectionCut(), connectionCut());
    const refused = refusal();
    const policy = new RetryPolicy({
      retries: 5,
      initialDelayMs: 1,
      maxDelayMs: 2,
      deadlineMs: 100,
    });
    await new DeadLetters(kafka.produce, 'dlq', policy, new EventMetrics()).send(
      event('big'),
      refused,
      Date.now() - 1_000,
    );
    assert.equal(kafka.requests.length, 1, 'the batch started a second ago: no retry');
    assert.equal(refused.deadLetterTopic, undefined);
  });
});
