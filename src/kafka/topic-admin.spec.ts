import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { kafkaSettings } from './kafka.settings.js';
import type { KafkaClients } from './kafka-clients.js';
import { TopicAdmin } from './topic-admin.js';

/** An admin client whose createTopics answers, call after call, what it is given. */
function adminAnswering(...answers: (boolean | Error)[]) {
  const calls: string[] = [];
  const configs: unknown[] = [];
  const admin = {
    connect: () => Promise.resolve(),
    disconnect: () => Promise.resolve(),
    createTopics: ({ topics }: { topics: { topic: string; configEntries: unknown }[] }) => {
      calls.push(topics[0]?.topic ?? '');
      configs.push(topics[0]?.configEntries);
      const answer = answers.shift() ?? false;
      return answer instanceof Error ? Promise.reject(answer) : Promise.resolve(answer);
    },
  };
  const clients = { create: () => ({ admin: () => admin }) } as unknown as KafkaClients;
  const settings = kafkaSettings.parse({ KAFKA_MAX_RECORD_BYTES: '2000000' });
  return { topics: new TopicAdmin(clients, settings), calls, configs };
}

const kafkaError = (name: string, type?: string) =>
  Object.assign(new Error(type ?? name), { name, ...(type ? { type } : {}) });

describe('TopicAdmin.ensureTopic', () => {
  const spec = { topic: 'kytos.evcs', partitions: 3, replicationFactor: 1 };

  it('asks again while a topic it just created is missing from the metadata, and says it created it', async () => {
    const lag = kafkaError('KafkaJSProtocolError', 'UNKNOWN_TOPIC_OR_PARTITION');
    const { topics, calls } = adminAnswering(lag, lag, false);
    assert.equal(await topics.ensureTopic(spec), true);
    assert.equal(calls.length, 3);
  });

  it('creates an event topic whose max.message.bytes takes the largest record the settings allow', async () => {
    const { topics, calls, configs } = adminAnswering(true);
    assert.equal(await topics.ensureEventTopic('kytos.evcs'), true);
    assert.deepEqual(calls, ['kytos.evcs']);
    // A batch header, and 2,000,000 bytes at gzip's worst growth (zlib's deflateBound): 635 more.
    assert.deepEqual(configs, [[{ name: 'max.message.bytes', value: '2000696' }]]);
  });

  it('passes any other failure on at once', async () => {
    const refused = kafkaError('KafkaJSConnectionError');
    const { topics, calls } = adminAnswering(refused, false);
    await assert.rejects(topics.ensureTopic(spec), (error) => error === refused);
    assert.equal(calls.length, 1);
  });
});
