import type { KafkaMessage, OutgoingRecord } from './outgoing-record.js';

/**
 * A record for the producer core's specs: its name says which it is, and so do its dead letters'
 * names, with the reason they were given.
 */
export function testRecord(
  name: string,
  {
    topic = 'event_logs',
    size = 100,
    key = null,
  }: { topic?: string; size?: number; key?: string | null } = {},
): OutgoingRecord {
  const record: OutgoingRecord = {
    id: `id-${name}`,
    name,
    topic,
    key,
    value: Buffer.from('{}'),
    size,
    toMessage: (): KafkaMessage => ({ key, value: record.value, headers: { name } }),
    deadLetter: (dlqTopic, reason) => testRecord(`${name} (${reason})`, { topic: dlqTopic }),
    deadLetterWithoutValue: (dlqTopic, reason) =>
      testRecord(`${name} without value (${reason})`, { topic: dlqTopic }),
  };
  return record;
}
