import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { crc32 } from 'node:zlib';
import { EventEnvelope } from '../event-envelope.js';
import { decodeRecord, encodeRecord } from './spool-record.js';

const envelope = EventEnvelope.fromEvent(
  {
    name: 'kytos/topology.link_up',
    content: { link: 'ä✓' },
    id: '0f6f0d1e-2a9f-4f5e-9a51-3f7e2c1b9a01',
  },
  new Date(0),
  { topic: 'event_logs' },
);

/** A payload framed as the spool frames it: length, CRC-32, payload. */
function framed(payload: Buffer): Buffer {
  const header = Buffer.alloc(8);
  header.writeUInt32LE(payload.length, 0);
  header.writeUInt32LE(crc32(payload), 4);
  return Buffer.concat([header, payload]);
}

describe('spool records', () => {
  it('round-trips an envelope: key, id, name and the exact value bytes', () => {
    for (const original of [
      envelope,
      EventEnvelope.restore('i', 'n', null, Buffer.from('{}'), 'event_logs'),
    ]) {
      const encoded = encodeRecord(original);
      const decoded = decodeRecord(encoded, 'event_logs');
      assert.equal(decoded.kind, 'record');
      if (decoded.kind !== 'record') return;
      assert.equal(decoded.bytes, encoded.length);
      assert.deepEqual(decoded.envelope.toMessage(), original.toMessage());
    }
  });

  it("keeps a rule's topic, and reads version 1 records (no topic) written before routing", () => {
    const routed = EventEnvelope.restore('i', 'n', 'k', Buffer.from('{}'), 'kytos.evcs');
    const decoded = decodeRecord(encodeRecord(routed), 'event_logs');
    assert.ok(decoded.kind === 'record');
    assert.equal(decoded.envelope.topic, 'kytos.evcs');
    assert.equal(decoded.envelope.key, 'k');
    // A version 1 record as the previous release wrote it: [1][key][id][name][value].
    const payload = Buffer.concat([
      Buffer.from([1]),
      Buffer.from([1, 0]),
      Buffer.from('k'),
      Buffer.from([1, 0]),
      Buffer.from('i'),
      Buffer.from([1, 0]),
      Buffer.from('n'),
      Buffer.from('{}'),
    ]);
    const old = decodeRecord(framed(payload), 'event_logs');
    assert.ok(old.kind === 'record');
    assert.equal(old.envelope.topic, 'event_logs', 'the topic of its time: KAFKA_TOPIC');
    assert.deepEqual(
      old.envelope.toMessage(),
      EventEnvelope.restore('i', 'n', 'k', Buffer.from('{}'), 'event_logs').toMessage(),
    );
  });

  it("keeps every header (a CloudEvent's, a trace's) and reads version 2 records (no headers)", () => {
    const plain = encodeRecord(envelope);
    assert.equal(plain.includes(Buffer.from('content-type')), false, 'the three are not written');
    const cloudEvent = EventEnvelope.fromEvent(
      {
        name: 'com.example.door.opened',
        content: { door: 3 },
        id: 'A234-1234-1234',
        cloudEvent: { source: '/doors', attributes: { subject: 'door-3' } },
      },
      new Date(0),
      {
        topic: 'event_logs',
        cloudEventsSource: 'kytos',
        traceHeaders: { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' },
      },
    );
    const decoded = decodeRecord(encodeRecord(cloudEvent), 'event_logs');
    assert.ok(decoded.kind === 'record');
    assert.deepEqual(decoded.envelope.toMessage(), cloudEvent.toMessage());
    assert.equal(decoded.envelope.toMessage().headers.ce_source, '/doors');
    assert.equal(decoded.envelope.toMessage().headers.ce_subject, 'door-3');
    assert.match(decoded.envelope.toMessage().headers.traceparent ?? '', /^00-0af7651916cd43dd/);
    // A version 2 record as the previous release wrote it: [2][topic][key][id][name][value].
    const payload = Buffer.concat([
      Buffer.from([2]),
      Buffer.from([0xff, 0xff]),
      Buffer.from([1, 0]),
      Buffer.from('k'),
      Buffer.from([1, 0]),
      Buffer.from('i'),
      Buffer.from([1, 0]),
      Buffer.from('n'),
      Buffer.from('{}'),
    ]);
    const old = decodeRecord(framed(payload), 'event_logs');
    assert.ok(old.kind === 'record');
    assert.deepEqual(old.envelope.toMessage(), {
      key: 'k',
      value: Buffer.from('{}'),
      headers: {
        'kytos-event-name': 'n',
        'kytos-event-id': 'i',
        'content-type': 'application/json',
      },
    });
  });

  it('asks for more bytes when the buffer ends inside a record', () => {
    const encoded = encodeRecord(envelope);
    assert.deepEqual(decodeRecord(encoded.subarray(0, 5), 'event_logs'), {
      kind: 'incomplete',
      bytes: 8,
    });
    assert.deepEqual(decodeRecord(encoded.subarray(0, 20), 'event_logs'), {
      kind: 'incomplete',
      bytes: encoded.length,
    });
  });

  it('detects a flipped bit anywhere in the payload by its checksum', () => {
    const encoded = encodeRecord(envelope);
    for (const at of [8, 20, encoded.length - 1]) {
      const damaged = Buffer.from(encoded);
      damaged[at] = (damaged[at] ?? 0) ^ 0x01;
      assert.deepEqual(decodeRecord(damaged, 'event_logs'), {
        kind: 'corrupt',
        reason: 'checksum mismatch',
      });
    }
  });

  it('calls zeros or an absurd length corrupt, not a record', () => {
    assert.equal(decodeRecord(Buffer.alloc(64), 'event_logs').kind, 'corrupt');
    const absurd = Buffer.alloc(16);
    absurd.writeUInt32LE(0xfffffff0, 0);
    assert.equal(decodeRecord(absurd, 'event_logs').kind, 'corrupt');
  });
});
