import { Parser } from '@asyncapi/parser';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { filterSettings } from '../filters/index.js';
import { kafkaSettings } from '../kafka/index.js';
import { buildAsyncApiDocument, RECORD_SCHEMA } from './asyncapi-document.js';
import { contractAjv, contractSchemaRef } from './content-schema-validator.js';
import { EVENT_FAMILIES } from './event-families.js';

function documentFor(env: Record<string, string>) {
  return buildAsyncApiDocument({
    kafka: kafkaSettings.parse(env),
    filters: filterSettings.parse(env),
  });
}

describe('the AsyncAPI document', () => {
  it('is valid AsyncAPI, with the topics the service is configured with', async () => {
    const json = documentFor({
      KAFKA_TOPIC: 'kytos.events',
      KAFKA_DLQ_TOPIC: 'kytos.dead',
      FILTER_TOPIC: 'kytos.rules',
    });
    const { document, diagnostics } = await new Parser().parse(JSON.stringify(json));
    assert.deepEqual(
      diagnostics.filter(({ severity }) => Number(severity) <= 1).map(({ message }) => message),
      [],
    );
    assert.ok(document);
    const addresses = Object.fromEntries(
      document
        .channels()
        .all()
        .map((channel) => [channel.id(), channel.address()]),
    );
    assert.deepEqual(addresses, {
      events: 'kytos.events',
      routedEvents: '{topic}',
      deadLetters: 'kytos.dead',
      rules: 'kytos.rules',
    });
    const events = document.channels().get('events');
    const messages =
      events
        ?.messages()
        .all()
        .map((message) => message.id()) ?? [];
    assert.deepEqual(messages, [...EVENT_FAMILIES.map((family) => family.message), 'otherEvent']);
  });

  it('describes a record value: the envelope, its message checked by event name', () => {
    const validate = contractAjv().compile(contractSchemaRef(RECORD_SCHEMA));
    const record = {
      event: 'topology.interruption.start',
      message: { type: 'maintenance', switches: ['s2'], interfaces: [], links: [] },
      id: '5a5b7f05-2c1e-4a0c-9b2f-0c6a1f7e2d11',
      timestamp: '2026-12-04T10:00:00Z',
    };
    assert.equal(validate(record), true);
    assert.equal(validate({ ...record, message: { type: 'maintenance' } }), false);
    assert.equal(validate({ ...record, event: 'kytos/of_lldp.loop.detected', message: {} }), true);
    assert.equal(validate({ ...record, id: undefined }), false);
  });
});
