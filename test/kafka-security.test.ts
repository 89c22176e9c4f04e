import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { kafkaTool } from './support/kafka-tools.js';
import { KafkaBroker } from './support/kafka-broker.js';
import { EVENTS_PATH, postJson, send, startService } from './support/service.js';
import { createTestCa, TestCa } from './support/test-ca.js';
import { readTopic } from './support/topic-reader.js';

const user = 'kafka-events';
const password = 'scram-password-for-tests';
const plainPassword = 'plain-password-for-tests';

let broker: KafkaBroker;
let ca: TestCa;
let otherCa: TestCa;
let passwordFile: string;

/**
 * One broker with four listeners: PLAINTEXT (the tests' own independent reader), the controller,
 * SASL_PLAINTEXT (SCRAM-SHA-256/512 and PLAIN) and SSL with client certificates required.
 */
function securedListeners(port: number, dir: string): string[] {
  const [sasl, ssl] = [port + 2, port + 3];
  return [
    `listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${port + 1},SASL_PLAINTEXT://127.0.0.1:${sasl},SSL://127.0.0.1:${ssl}`,
    `advertised.listeners=PLAINTEXT://127.0.0.1:${port},SASL_PLAINTEXT://127.0.0.1:${sasl},SSL://127.0.0.1:${ssl}`,
    'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT,SSL:SSL',
    'sasl.enabled.mechanisms=SCRAM-SHA-256,SCRAM-SHA-512,PLAIN',
    'listener.name.sasl_plaintext.scram-sha-256.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;',
    'listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;',
    `listener.name.sasl_plaintext.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required user_${user}="${plainPassword}";`,
    'ssl.keystore.type=PEM',
    `ssl.keystore.location=${join(dir, 'ca-server-keystore.pem')}`,
    'ssl.truststore.type=PEM',
    `ssl.truststore.location=${join(dir, 'ca-ca.pem')}`,
    'ssl.client.auth=required',
  ];
}

before(async () => {
  broker = await KafkaBroker.start(
    (port, dir) => securedListeners(port, dir),
    2,
    async (dir) => {
      ca = await createTestCa(dir, 'ca');
      otherCa = await createTestCa(dir, 'other');
    },
  );
  // SCRAM credentials live in the cluster metadata: added with Kafka's own tool, over PLAINTEXT,
  // one mechanism per request (the broker refuses two changes of one user in a request).
  for (const mechanism of ['SCRAM-SHA-256', 'SCRAM-SHA-512']) {
    await kafkaTool('org.apache.kafka.tools.ConfigCommand', [
      '--bootstrap-server',
      broker.brokers,
      '--alter',
      '--add-config',
      `${mechanism}=[password=${password}]`,
      '--entity-type',
      'users',
      '--entity-name',
      user,
    ]);
  }
  passwordFile = join(broker.dir, 'sasl-password');
  writeFileSync(passwordFile, `${password}\n`);
});
after(async () => broker?.stop());

const saslBrokers = () => `127.0.0.1:${broker.port + 2}`;
const sslBrokers = () => `127.0.0.1:${broker.port + 3}`;

/** Posts one event through a service with the given Kafka settings; the topic is read over PLAINTEXT. */
async function publishThrough(topic: string, env: Record<string, string>, expectReady = true) {
  const service = await startService(
    { KAFKA_TOPIC: topic, KAFKA_RETRY_DEADLINE_MS: '3000', KAFKA_CHECK_INTERVAL_MS: '500', ...env },
    { waitUntilReady: expectReady },
  );
  try {
    const id = crypto.randomUUID();
    const answer = await postJson(service.url + EVENTS_PATH, {
      id,
      name: 'kytos/topology.link_up',
      content: { link: 'l1' },
    });
    const ready = expectReady
      ? await send(`${service.url}/health/ready`, 'GET')
      : await notReadyAnswer(service.url);
    return { id, answer, ready };
  } finally {
    await service.close();
  }
}

/** The readiness answer once the background Kafka check has answered at least once (at most 10 s). */
async function notReadyAnswer(url: string) {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const answer = await send(`${url}/health/ready`, 'GET');
    if (answer.status !== 503 || /kafka: (?!not checked yet)/.test(String(answer.body.message))) {
      return answer;
    }
    if (Date.now() > deadline) return answer;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('Kafka over SASL and TLS', () => {
  const accepted: [string, Record<string, string>][] = [
    [
      'SCRAM-SHA-256, password from a file',
      {
        KAFKA_SASL_MECHANISM: 'scram-sha-256',
        KAFKA_SASL_USERNAME: user,
        KAFKA_SASL_PASSWORD_FILE: '',
      },
    ],
    [
      'SCRAM-SHA-512',
      {
        KAFKA_SASL_MECHANISM: 'scram-sha-512',
        KAFKA_SASL_USERNAME: user,
        KAFKA_SASL_PASSWORD: password,
      },
    ],
    [
      'PLAIN',
      {
        KAFKA_SASL_MECHANISM: 'plain',
        KAFKA_SASL_USERNAME: user,
        KAFKA_SASL_PASSWORD: plainPassword,
      },
    ],
  ];

  for (const [label, settings] of accepted) {
    it(`publishes with the right ${label} credentials, rules kept in Kafka over the same listener`, async () => {
      const topic = `sasl_${label.replace(/\W+/g, '_').toLowerCase()}`;
      const env: Record<string, string> = {
        ...settings,
        KAFKA_BROKERS: saslBrokers(),
        FILTER_STORE: 'kafka',
      };
      if (env.KAFKA_SASL_PASSWORD_FILE === '') env.KAFKA_SASL_PASSWORD_FILE = passwordFile;
      const { id, answer } = await publishThrough(topic, env);
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
      const records = await readTopic(broker.brokers, topic, 1);
      assert.equal(records.length, 1);
      assert.equal((JSON.parse(records[0]?.value ?? '{}') as { id?: string }).id, id);
    });
  }

  it('fails with a clear 503, and is not ready, with a wrong SCRAM password', async () => {
    const started = Date.now();
    const { answer, ready } = await publishThrough(
      'sasl_wrong',
      {
        KAFKA_BROKERS: saslBrokers(),
        KAFKA_SASL_MECHANISM: 'scram-sha-256',
        KAFKA_SASL_USERNAME: user,
        KAFKA_SASL_PASSWORD: 'not-the-password',
        FILTER_STORE: 'memory',
      },
      false,
    );
    assert.equal(answer.status, 503);
    assert.match(String(answer.body.message), /credentials/);
    assert.match(String(answer.body.message), /authentication failed/i);
    assert.equal(answer.headers.get('retry-after'), '30');
    // Not retried for the whole deadline: another attempt cannot fix a password.
    assert.ok(Date.now() - started < 10_000);
    assert.equal(ready.status, 503);
    assert.match(String(ready.body.message), /^not ready: kafka: .*authentication failed/i);
  });

  it('publishes over TLS with a client certificate the broker trusts', async () => {
    const { id, answer } = await publishThrough('tls_ok', {
      KAFKA_BROKERS: sslBrokers(),
      KAFKA_TLS: 'true',
      KAFKA_TLS_CA_FILE: ca.caCert,
      KAFKA_TLS_CERT_FILE: ca.clientCert,
      KAFKA_TLS_KEY_FILE: ca.clientKey,
      FILTER_STORE: 'kafka',
    });
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    const records = await readTopic(broker.brokers, 'tls_ok', 1);
    assert.equal((JSON.parse(records[0]?.value ?? '{}') as { id?: string }).id, id);
  });

  it('refuses a broker whose certificate another CA signed, with a clear 503', async () => {
    const { answer, ready } = await publishThrough(
      'tls_wrong_ca',
      {
        KAFKA_BROKERS: sslBrokers(),
        KAFKA_TLS: 'true',
        KAFKA_TLS_CA_FILE: otherCa.caCert,
        KAFKA_TLS_CERT_FILE: ca.clientCert,
        KAFKA_TLS_KEY_FILE: ca.clientKey,
        FILTER_STORE: 'memory',
      },
      false,
    );
    assert.equal(answer.status, 503);
    assert.match(String(answer.body.message), /certificate/i);
    assert.equal(ready.status, 503);
    assert.match(String(ready.body.message), /^not ready: kafka: .*certificate/i);
  });
});
