/**
 * Reads kafka-events' topic, checks each record against the contract (asyncapi.json), and
 * prints one line per event: `ok <event> <id>`, or `MISMATCH <event> <id> <where>: <why>`.
 *
 *   npx tsc -p tsconfig.json
 *   node dist/examples/typescript/consumer.js --brokers localhost:9092 --topic event_logs \
 *     --contract http://localhost:8080/api/asyncapi.json
 *
 * Stops after --max records, or once nothing came for --idle-seconds; exits 1 if a record did
 * not match.
 */
import { Ajv2020 } from 'ajv/dist/2020.js';
import kafkajs from 'kafkajs';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

const { Kafka, logLevel } = kafkajs;

/** The contract's base: its schemas refer to each other as `#/components/schemas/<name>/schema`. */
const CONTRACT = 'urn:kafka-events:asyncapi';

const { values: args } = parseArgs({
  options: {
    brokers: { type: 'string', default: 'localhost:9092' },
    topic: { type: 'string', default: 'event_logs' },
    contract: { type: 'string', default: 'http://localhost:8080/api/asyncapi.json' },
    group: { type: 'string', default: 'kafka-events-example-typescript' },
    max: { type: 'string' },
    'idle-seconds': { type: 'string', default: '10' },
  },
});
const max = args.max === undefined ? Infinity : Number(args.max);
const idleMs = Number(args['idle-seconds']) * 1000;

async function loadContract(location: string): Promise<object> {
  if (/^https?:\/\//.test(location)) return (await (await fetch(location)).json()) as object;
  return JSON.parse(readFileSync(location, 'utf8')) as object;
}

// The record schema (JSON Schema 2020-12): the envelope, and the message by its event's family.
const ajv = new Ajv2020({ strict: false, allowUnionTypes: true });
ajv.addSchema({ ...(await loadContract(args.contract)), $id: CONTRACT });
const validate = ajv.compile({ $ref: `${CONTRACT}#/components/schemas/EventRecord/schema` });

const kafka = new Kafka({ brokers: args.brokers.split(','), logLevel: logLevel.NOTHING });
const consumer = kafka.consumer({ groupId: args.group });
await consumer.connect();
await consumer.subscribe({ topic: args.topic, fromBeginning: true });

let seen = 0;
let mismatched = 0;
await new Promise<void>((resolve) => {
  let idle = setTimeout(resolve, idleMs);
  void consumer.run({
    autoCommit: false,
    eachMessage: async ({ message }) => {
      if (seen >= max) return;
      clearTimeout(idle);
      const value = JSON.parse(message.value?.toString('utf8') ?? 'null') as {
        event?: string;
        id?: string;
      };
      const conforms: boolean = validate(value);
      if (conforms) {
        console.log(`ok ${value.event} ${value.id}`);
      } else {
        const [error] = validate.errors ?? [];
        console.log(
          `MISMATCH ${value.event} ${value.id} ${error?.instancePath}: ${error?.message}`,
        );
        mismatched++;
      }
      seen++;
      idle = seen >= max ? setTimeout(resolve, 0) : setTimeout(resolve, idleMs);
      await Promise.resolve();
    },
  });
});
await consumer.disconnect();
console.error(`${seen} records, ${mismatched} not matching the contract`);
process.exitCode = mismatched > 0 ? 1 : 0;
