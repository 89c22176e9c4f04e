import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import kafkajs, { type ProducerBatch } from 'kafkajs';
import { errorCodeOf, KafkaAnswer } from './kafka-answer.fixture.js';
import { KafkaFailure } from './kafka-failure.js';
import type { OutgoingRecord } from './outgoing-record.js';
import { keepPartitionAnswers } from './partition-answers.js';
import { PartlyWrittenError, sendProduceRequest } from './produce-request.js';
import { testRecord } from './test-record.fixture.js';

const kafka = new KafkaAnswer(4);

/**
 * A producer as kafkajs places messages (the service's partitioner) and as Kafka answers: each
 * partition's error code from `codeOf` (0: written).
 */
function producerAnswering(codeOf: (topic: string, partition: number) => number | undefined) {
  const requests: ProducerBatch[] = [];
  const sendBatch = async (batch: ProducerBatch) => {
    requests.push(batch);
    await kafka.answer(batch.topicMessages ?? [], codeOf);
    return [];
  };
  return { producer: { sendBatch }, requests };
}

/** A record keyed and named `key`. */
const event = (key: string, topic?: string): OutgoingRecord => testRecord(key, { topic, key });

const options = { acks: -1, compression: 1, timeout: 5_000 };
const MESSAGE_TOO_LARGE = errorCodeOf('MESSAGE_TOO_LARGE');
const partitionOf = (key: string) => kafka.partitionOf('event_logs', { key, value: null });

describe('sendProduceRequest', () => {
  keepPartitionAnswers();

  it("sends every topic's records in one request, in their order, with the send options", async () => {
    const { producer, requests } = producerAnswering(() => 0);
    await sendProduceRequest(producer, [event('a'), event('b', 'other'), event('c')], options);
    assert.equal(requests.length, 1);
    const [request] = requests;
    assert.deepEqual(
      { acks: request.acks, compression: request.compression, timeout: request.timeout },
      options,
    );
    assert.deepEqual(
      request.topicMessages?.map(({ topic, messages }) => ({
        topic,
        keys: messages.map(({ key }) => key),
      })),
      [
        { topic: 'event_logs', keys: ['a', 'c'] },
        { topic: 'other', keys: ['b'] },
      ],
    );
  });

  it('tells which records Kafka wrote when it refused some partitions', async () => {
    const keys = ['k1', 'k2', 'k3', 'k4', 'k5', 'k6', 'k7', 'k8'];
    const refusedPartition = partitionOf('k1');
    const records = keys.map((key) => event(key));
    const { producer } = producerAnswering((_, partition) =>
      partition === refusedPartition ? MESSAGE_TOO_LARGE : 0,
    );
    const error = await sendProduceRequest(producer, records, options).then(
      () => assert.fail('a refused partition fails the request'),
      (thrown: unknown) => thrown,
    );
    assert.ok(error instanceof PartlyWrittenError);
    const expected = records.filter(({ name }) => partitionOf(name) !== refusedPartition);
    assert.ok(expected.length > 0 && expected.length < records.length, 'keys on both sides');
    assert.deepEqual(
      [...error.written].map(({ name }) => name),
      expected.map(({ name }) => name),
    );
    assert.equal(KafkaFailure.from(error.cause).kind, 'rejected');
  });

  it("counts a refused partition of one topic as not written, whatever another topic's same partition got", async () => {
    const records = [event('a', 'written'), event('a', 'refused')];
    const { producer } = producerAnswering((topic) =>
      topic === 'refused' ? MESSAGE_TOO_LARGE : 0,
    );
    const error = await sendProduceRequest(producer, records, options).catch(
      (thrown: unknown) => thrown,
    );
    assert.ok(error instanceof PartlyWrittenError);
    assert.deepEqual(
      [...error.written].map(({ topic, name }) => `${topic}/${name}`),
      ['written/a'],
    );
  });

  it("counts the records of a partition Kafka's answer left out (another broker's) as not written", async () => {
    const keys = ['k1', 'k2', 'k3', 'k4', 'k5', 'k6', 'k7', 'k8'];
    const [refusedPartition, omittedPartition] = [...new Set(keys.map(partitionOf))];
    const records = keys.map((key) => event(key));
    const { producer } = producerAnswering((_, partition) =>
      partition === omittedPartition
        ? undefined
        : partition === refusedPartition
          ? MESSAGE_TOO_LARGE
          : 0,
    );
    const error = await sendProduceRequest(producer, records, options).catch(
      (thrown: unknown) => thrown,
    );
    assert.ok(error instanceof PartlyWrittenError);
    const written = records.filter(
      ({ name }) => ![refusedPartition, omittedPartition].includes(partitionOf(name)),
    );
    assert.ok(written.length > 0, 'keys on a third partition');
    assert.deepEqual(
      [...error.written].map(({ name }) => name),
      written.map(({ name }) => name),
    );
  });

  it('throws the error as it is when Kafka wrote nothing, or its answer is not known', async () => {
    const refusedAll = producerAnswering(() => MESSAGE_TOO_LARGE);
    const refused = await sendProduceRequest(refusedAll.producer, [event('a')], options).catch(
      (thrown: unknown) => thrown,
    );
    assert.ok(!(refused instanceof PartlyWrittenError));
    assert.ok(KafkaFailure.hasType(refused, 'MESSAGE_TOO_LARGE'));
    const cut = new kafkajs.KafkaJSConnectionError('cut');
    const lostAnswer = { sendBatch: () => Promise.reject(cut) };
    await assert.rejects(
      sendProduceRequest(lostAnswer, [event('a')], options),
      (thrown) => thrown === cut,
    );
  });
});
