import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';
import kafkajs from 'kafkajs';
import { KafkaFailure } from './kafka-failure.js';
import { keepPartitionAnswers, partitionAnswersOf } from './partition-answers.js';

const require = createRequire(import.meta.url);

/** kafkajs' parser of one produce response version, as its Connection calls it. */
function parserOf(version: number): (data: object) => Promise<unknown> {
  const response = require(`kafkajs/src/protocol/requests/produce/v${version}/response.js`) as {
    parse(data: object): Promise<unknown>;
  };
  return (data) => response.parse(data);
}

/** Kafka's answer: partition 0 and 2 of event_logs written, 1 refused (MESSAGE_TOO_LARGE, 10). */
const answer = {
  topics: [
    {
      topicName: 'event_logs',
      partitions: [
        { partition: 0, errorCode: 0, baseOffset: '7' },
        { partition: 1, errorCode: 10, baseOffset: '-1' },
        { partition: 2, errorCode: 0, baseOffset: '3' },
      ],
    },
  ],
  throttleTime: 0,
};

describe('keepPartitionAnswers', () => {
  it("keeps Kafka's whole answer with the error kafkajs throws for its first failed partition", async () => {
    keepPartitionAnswers();
    keepPartitionAnswers();
    for (const version of [0, 3, 7]) {
      const error = await parserOf(version)(answer).then(
        () => assert.fail('a refused partition fails the request'),
        (thrown: unknown) => thrown,
      );
      assert.equal(KafkaFailure.from(error).kind, 'rejected');
      assert.ok(KafkaFailure.hasType(error, 'MESSAGE_TOO_LARGE'));
      // kafkajs' retrier wraps what it gives up on, as the cause (retry/index.js).
      const wrapped = Object.assign(new kafkajs.KafkaJSNonRetriableError(error as Error), {
        cause: error,
      });
      assert.deepEqual(partitionAnswersOf(wrapped), [
        { topic: 'event_logs', partition: 0, errorCode: 0 },
        { topic: 'event_logs', partition: 1, errorCode: 10 },
        { topic: 'event_logs', partition: 2, errorCode: 0 },
      ]);
    }
  });

  it('tells nothing of an error that was not a produce answer', async () => {
    keepPartitionAnswers();
    const written = await parserOf(3)({ ...answer, topics: [] });
    assert.deepEqual(written, { ...answer, topics: [] });
    assert.equal(partitionAnswersOf(new kafkajs.KafkaJSConnectionError('cut')), undefined);
  });
});
