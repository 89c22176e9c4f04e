import assert from 'node:assert/strict';
import kafkajs from 'kafkajs';
import { EVENTS_PATH, postJson } from './service.js';

/**
 * Makes the service at `url` read the max.message.bytes of the topic an event named `name` goes
 * to: a record larger than Kafka's default limit is answered only once the service knows its
 * topic's (it then believes it for a minute).
 */
export async function makeServiceReadLimit(url: string, name: string): Promise<void> {
  const answer = await postJson(url + EVENTS_PATH, {
    name,
    content: { pad: 'x'.repeat(1_100_000) },
  });
  assert.ok(answer.status === 200 || answer.status === 202, JSON.stringify(answer.body));
}

/**
 * Sets the topic's max.message.bytes, as an operator may, and waits until the broker says so:
 * with the service's cached limit above it, Kafka then refuses records the service let through.
 */
export async function setMaxMessageBytes(
  brokers: string,
  topic: string,
  maxBytes: number,
): Promise<void> {
  const admin = new kafkajs.Kafka({
    brokers: [brokers],
    logLevel: kafkajs.logLevel.NOTHING,
  }).admin();
  const resource = { type: kafkajs.ConfigResourceTypes.TOPIC, name: topic };
  await admin.connect();
  try {
    await admin.alterConfigs({
      validateOnly: false,
      resources: [
        { ...resource, configEntries: [{ name: 'max.message.bytes', value: String(maxBytes) }] },
      ],
    });
    for (let attempt = 0; attempt < 50; attempt++) {
      const { resources } = await admin.describeConfigs({
        includeSynonyms: false,
        resources: [{ ...resource, configNames: ['max.message.bytes'] }],
      });
      if (resources[0]?.configEntries[0]?.configValue === String(maxBytes)) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.fail(`max.message.bytes of ${topic} did not change`);
  } finally {
    await admin.disconnect();
  }
}
