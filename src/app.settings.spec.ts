import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadAppConfig } from './app.settings.js';
import { ConfigError } from './config/index.js';
import { DEFAULT_PRESETS } from './filters/index.js';

/** Tests of other settings run without authentication, which must be asked for explicitly. */
const base = { AUTH_DISABLED: 'true' };

function problemsOf(env: Record<string, string>): readonly string[] {
  try {
    loadAppConfig({ ...base, ...env });
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    return error.problems;
  }
  assert.fail('expected a ConfigError');
}

describe('loadAppConfig', () => {
  it('gives defaults that work with a local broker', () => {
    const config = loadAppConfig(base);
    assert.deepEqual(config.kafka.brokers, ['127.0.0.1:9092']);
    assert.equal(config.kafka.topic, 'event_logs');
    assert.equal(config.kafka.acks, 'all');
    assert.equal(config.kafka.compression, 'gzip');
    assert.equal(config.kafka.idempotent, true);
    assert.equal(config.delivery.recordKey, 'name');
    assert.equal(config.http.port, 8080);
    assert.equal(config.http.host, '127.0.0.1');
    assert.deepEqual(config.filters.presets, DEFAULT_PRESETS);
  });

  it('reads every kind of value', () => {
    const config = loadAppConfig({
      ...base,
      KAFKA_BROKERS: 'a:1, b.example:9093',
      KAFKA_ACKS: '1',
      KAFKA_IDEMPOTENT: 'false',
      KAFKA_COMPRESSION: 'ZSTD',
      PORT: '0',
      FILTER_PRESETS: '[{"pattern":"x$"}]',
    });
    assert.deepEqual(config.kafka.brokers, ['a:1', 'b.example:9093']);
    assert.equal(config.kafka.acks, '1');
    assert.equal(config.kafka.compression, 'zstd');
    assert.equal(config.http.port, 0);
    assert.deepEqual(config.filters.presets, [{ pattern: 'x$', description: '', action: 'allow' }]);
  });

  it('treats a blank value as unset', () => {
    assert.equal(loadAppConfig({ ...base, KAFKA_TOPIC: '  ' }).kafka.topic, 'event_logs');
  });

  it('names every bad variable and what is allowed, all at once', () => {
    const problems = problemsOf({
      PORT: '70000',
      KAFKA_ACKS: '2',
      KAFKA_COMPRESSION: 'brotli',
      KAFKA_TOPIC: 'bad topic',
      KAFKA_BROKERS: 'no-port',
      KAFKA_IDEMPOTENT: 'maybe',
      FILTER_PRESETS: '{',
    });
    const text = problems.join('\n');
    assert.equal(problems.length, 7);
    assert.match(text, /PORT="70000" is not allowed: expected an integer from 0 to 65535/);
    assert.match(text, /KAFKA_ACKS="2" .* one of all, 1, 0/);
    assert.match(text, /KAFKA_COMPRESSION="brotli" .* one of none, gzip, snappy, lz4, zstd/);
    assert.match(text, /KAFKA_TOPIC=/);
    assert.match(text, /KAFKA_BROKERS=.*host:port/);
    assert.match(text, /KAFKA_IDEMPOTENT=.*true or false/);
    assert.match(text, /FILTER_PRESETS=.*valid JSON/);
  });

  it('refuses an idempotent producer without acks=all', () => {
    const problems = problemsOf({ KAFKA_ACKS: '1' });
    assert.match(problems[0] ?? '', /KAFKA_IDEMPOTENT=true needs KAFKA_ACKS=all/);
  });

  it('refuses a spool forwarding at shutdown that would outlast SHUTDOWN_TIMEOUT_MS', () => {
    const env = { DELIVERY_MODE: 'spool', SHUTDOWN_TIMEOUT_MS: '5000' };
    assert.match(
      problemsOf({ ...env, SPOOL_SHUTDOWN_FORWARD_MS: '5000' })[0] ?? '',
      /SPOOL_SHUTDOWN_FORWARD_MS \(5000\) must be less than SHUTDOWN_TIMEOUT_MS \(5000\)/,
    );
    assert.equal(
      loadAppConfig({ ...base, ...env, SPOOL_SHUTDOWN_FORWARD_MS: '4000' }).delivery
        .spoolShutdownForwardMs,
      4000,
    );
    assert.doesNotThrow(() => loadAppConfig({ ...base, SHUTDOWN_TIMEOUT_MS: '5000' }));
  });

  it('refuses an events topic that is the rules topic', () => {
    assert.match(
      problemsOf({ KAFKA_TOPIC: 'rules', FILTER_TOPIC: 'rules' })[0] ?? '',
      /KAFKA_TOPIC must differ from FILTER_TOPIC/,
    );
  });

  it('refuses a whsec_ secret that does not decode strictly to a key of 24 bytes or more', () => {
    const key = Buffer.from('0123456789abcdef01234567').toString('base64');
    for (const [secret, why] of [
      ['whsec_%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%', /standard base64/],
      [`whsec_ab==${key}`, /standard base64/],
      [`whsec_${key.slice(0, -4)}`, /at least 24 bytes \(this one gives 21\)/],
    ] as const) {
      assert.match(
        problemsOf({ AUTH_DISABLED: 'false', AUTH_WEBHOOK_SECRET: secret }).join('\n'),
        why,
        secret,
      );
    }
    assert.equal(
      loadAppConfig({ AUTH_WEBHOOK_SECRET: `whsec_${key}` }).auth.webhookSecret,
      `whsec_${key}`,
    );
  });

  it('refuses a dead letter topic that is the events or the rules topic, and a bad name', () => {
    for (const topic of ['event_logs', 'kafka_events_filters']) {
      assert.match(problemsOf({ KAFKA_DLQ_TOPIC: topic })[0] ?? '', /KAFKA_DLQ_TOPIC must differ/);
    }
    assert.match(problemsOf({ KAFKA_DLQ_TOPIC: 'no spaces' })[0] ?? '', /KAFKA_DLQ_TOPIC/);
    assert.equal(
      loadAppConfig({ AUTH_DISABLED: 'true', KAFKA_DLQ_TOPIC: 'kytos.dlq' }).kafka.dlqTopic,
      'kytos.dlq',
    );
  });

  it('reads the record format and the OpenTelemetry endpoints, refusing what cannot work', () => {
    const config = loadAppConfig({
      AUTH_DISABLED: 'true',
      KAFKA_RECORD_FORMAT: 'cloudevents',
      CLOUDEVENTS_SOURCE: 'https://kytos.example.net',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/',
    });
    assert.equal(config.delivery.recordFormat, 'cloudevents');
    assert.equal(config.delivery.cloudEventsSource, 'https://kytos.example.net');
    assert.equal(config.tracing.otlpTracesEndpoint, 'http://collector:4318/v1/traces');
    assert.equal(config.tracing.serviceName, 'kafka-events');
    const traces = loadAppConfig({
      AUTH_DISABLED: 'true',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://traces.example.net/otlp',
    });
    assert.equal(traces.tracing.otlpTracesEndpoint, 'https://traces.example.net/otlp');
    assert.equal(loadAppConfig({ AUTH_DISABLED: 'true' }).tracing.otlpTracesEndpoint, undefined);
    const problems = problemsOf({
      KAFKA_RECORD_FORMAT: 'avro',
      CLOUDEVENTS_SOURCE: 'has spaces',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'grpc://collector:4317',
    });
    assert.equal(problems.length, 3, problems.join('\n'));
    assert.match(problems.join('\n'), /KAFKA_RECORD_FORMAT.*kytos.*cloudevents/);
    assert.match(problems.join('\n'), /CLOUDEVENTS_SOURCE.*URI-reference/);
    assert.match(problems.join('\n'), /OTEL_EXPORTER_OTLP_ENDPOINT.*http:\/\/ or https:\/\//);
  });

  it('refuses presets of the wrong shape', () => {
    for (const presets of [
      '{}',
      '[{"pattern":""}]',
      '[{"pattern":1}]',
      '[{"pattern":"a","description":2}]',
    ]) {
      assert.match(problemsOf({ FILTER_PRESETS: presets })[0] ?? '', /FILTER_PRESETS=.*JSON array/);
    }
  });

  it('refuses to start without webhook authentication unless told it runs without', () => {
    let problems: readonly string[] = [];
    try {
      loadAppConfig({});
    } catch (error) {
      problems = (error as ConfigError).problems;
    }
    assert.match(problems.join('\n'), /set AUTH_WEBHOOK_SECRET .* or AUTH_DISABLED=true/);
    const config = loadAppConfig({ AUTH_WEBHOOK_SECRET: 'x'.repeat(32) });
    assert.equal(config.auth.disabled, false);
    assert.equal(config.auth.readsOpen, true);
    assert.equal(config.auth.adminToken, undefined);
  });

  it('reads secrets from files (Kubernetes secrets) and never echoes them', () => {
    const dir = mkdtempSync(join(tmpdir(), 'config-spec-'));
    try {
      writeFileSync(join(dir, 'admin'), `${'a'.repeat(40)}\n`);
      const config = loadAppConfig({
        AUTH_WEBHOOK_TOKEN: 't'.repeat(20),
        AUTH_ADMIN_TOKEN_FILE: join(dir, 'admin'),
      });
      assert.equal(config.auth.adminToken, 'a'.repeat(40));
      const problems = problemsOf({
        AUTH_ADMIN_TOKEN: 'short-secret',
        AUTH_WEBHOOK_SECRET_FILE: join(dir, 'missing'),
      });
      assert.match(problems.join('\n'), /AUTH_ADMIN_TOKEN is too short/);
      assert.match(problems.join('\n'), /AUTH_WEBHOOK_SECRET_FILE=.* cannot be read: ENOENT/);
      assert.doesNotMatch(problems.join('\n'), /short-secret/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reads Kafka TLS files and SASL credentials, and refuses incomplete or contradictory ones', () => {
    const dir = mkdtempSync(join(tmpdir(), 'config-spec-'));
    try {
      const pem = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
      writeFileSync(join(dir, 'ca.pem'), pem);
      writeFileSync(join(dir, 'not-pem'), 'hello');
      writeFileSync(join(dir, 'password'), 'kafka-password\n');
      const config = loadAppConfig({
        ...base,
        KAFKA_TLS: 'true',
        KAFKA_TLS_CA_FILE: join(dir, 'ca.pem'),
        KAFKA_SASL_MECHANISM: 'SCRAM-SHA-512',
        KAFKA_SASL_USERNAME: 'events',
        KAFKA_SASL_PASSWORD_FILE: join(dir, 'password'),
      });
      assert.equal(config.kafka.tls?.ca, pem);
      assert.deepEqual(config.kafka.sasl, {
        mechanism: 'scram-sha-512',
        username: 'events',
        password: 'kafka-password',
      });
      assert.equal(loadAppConfig(base).kafka.tls, undefined);
      assert.equal(loadAppConfig(base).kafka.sasl, undefined);

      const problems = problemsOf({
        KAFKA_TLS_CA_FILE: join(dir, 'ca.pem'),
        KAFKA_SASL_MECHANISM: 'plain',
        KAFKA_SASL_USERNAME: 'events',
      }).join('\n');
      assert.match(problems, /KAFKA_TLS_\* settings are given \(ca\) but KAFKA_TLS is not true/);
      assert.match(
        problems,
        /KAFKA_SASL_MECHANISM=plain needs KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD/,
      );
      const more = problemsOf({
        KAFKA_TLS: 'true',
        KAFKA_TLS_CA_FILE: join(dir, 'not-pem'),
        KAFKA_TLS_CERT_FILE: join(dir, 'ca.pem'),
        KAFKA_SASL_MECHANISM: 'gssapi',
      }).join('\n');
      assert.match(more, /KAFKA_TLS_CA_FILE=.* is not a PEM file/);
      assert.match(more, /KAFKA_TLS_CERT_FILE and KAFKA_TLS_KEY_FILE go together/);
      assert.match(more, /KAFKA_SASL_MECHANISM="gssapi" is not allowed/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reports the checks across variables together with the bad variables', () => {
    const problems = problemsOf({ PORT: 'x', KAFKA_ACKS: '1', AUTH_ADMIN_TOKEN: 'short' });
    assert.equal(problems.length, 3);
    assert.match(problems.join('\n'), /PORT="x" is not allowed/);
    assert.match(problems.join('\n'), /KAFKA_IDEMPOTENT=true needs KAFKA_ACKS=all/);
    assert.match(problems.join('\n'), /AUTH_ADMIN_TOKEN is too short/);
  });

  it('refuses a preset that does not compile, and leaves the spool folder to the spool (Spool.open names it)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'config-spec-'));
    try {
      const problems = problemsOf({ FILTER_PRESETS: '[{"pattern":"a("}]' }).join('\n');
      assert.match(problems, /FILTER_PRESETS has a pattern that does not compile \("a\("\)/);
      const config = loadAppConfig({
        ...base,
        DELIVERY_MODE: 'spool',
        SPOOL_DIR: join(dir, 'new'),
      });
      assert.equal(config.delivery.spoolDir, join(dir, 'new'));
      assert.ok(!existsSync(join(dir, 'new')), 'reading the settings touches no disk');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('checks across variables with the default of a refused value, never with nothing', () => {
    const problems = problemsOf({
      KAFKA_IDEMPOTENT: 'maybe',
      KAFKA_ACKS: '1',
      DELIVERY_MODE: 'spool',
      SPOOL_DIR: 'a\u0000b',
    }).join('\n');
    assert.match(problems, /KAFKA_IDEMPOTENT="maybe" is not allowed/);
    assert.match(problems, /KAFKA_IDEMPOTENT=true needs KAFKA_ACKS=all/);
    assert.match(problems, /SPOOL_DIR=.* is not allowed: expected a path/);
    assert.ok(!existsSync('.spool'), 'a refused SPOOL_DIR is not replaced by the default on disk');
  });
});

describe('size limits checked against each other (#33)', () => {
  it('accepts the defaults, in both delivery modes, with every codec', () => {
    for (const KAFKA_COMPRESSION of ['none', 'gzip', 'snappy', 'lz4', 'zstd']) {
      loadAppConfig({ ...base, KAFKA_COMPRESSION });
      loadAppConfig({ ...base, KAFKA_COMPRESSION, DELIVERY_MODE: 'spool' });
    }
  });

  it('refuses a publish queue smaller than the largest record, naming both settings', () => {
    const problems = problemsOf({ PUBLISH_MAX_QUEUED_BYTES: '2097152' }).join('\n');
    assert.match(
      problems,
      /PUBLISH_MAX_QUEUED_BYTES \(2097152\) must be at least KAFKA_MAX_RECORD_BYTES \(16777216\)/,
    );
    // The spool does not use the publish queue's room.
    loadAppConfig({ ...base, DELIVERY_MODE: 'spool', PUBLISH_MAX_QUEUED_BYTES: '2097152' });
  });

  it('refuses a budget of unverified bytes smaller than one body, naming both settings', () => {
    const problems = problemsOf({ AUTH_UNVERIFIED_BYTES_MAX: '65536' }).join('\n');
    assert.match(
      problems,
      /AUTH_UNVERIFIED_BYTES_MAX \(65536\) must be at least INGEST_MAX_BODY_BYTES \(16777216\)/,
    );
    loadAppConfig({ ...base, AUTH_UNVERIFIED_BYTES_MAX: '65536', INGEST_MAX_BODY_BYTES: '65536' });
  });

  it('refuses a spool smaller than the largest record, naming both settings', () => {
    const problems = problemsOf({
      DELIVERY_MODE: 'spool',
      SPOOL_MAX_BYTES: String(8 * 1024 * 1024),
      SPOOL_SEGMENT_BYTES: String(1024 * 1024),
    }).join('\n');
    assert.match(
      problems,
      /SPOOL_MAX_BYTES \(8388608\) must be at least KAFKA_MAX_RECORD_BYTES \(16777216\)/,
    );
  });

  it('refuses a spool with room for fewer than two segments, which could answer 503 once empty', () => {
    const mib16 = String(16 * 1024 * 1024);
    const problems = problemsOf({
      DELIVERY_MODE: 'spool',
      SPOOL_MAX_BYTES: mib16,
      SPOOL_SEGMENT_BYTES: mib16,
      KAFKA_MAX_RECORD_BYTES: String(1024 * 1024),
    }).join('\n');
    assert.match(
      problems,
      /SPOOL_MAX_BYTES \(16777216\) must be at least twice SPOOL_SEGMENT_BYTES \(16777216\)/,
    );
    loadAppConfig({
      ...base,
      DELIVERY_MODE: 'spool',
      SPOOL_MAX_BYTES: String(32 * 1024 * 1024),
      SPOOL_SEGMENT_BYTES: mib16,
    });
  });

  it("refuses a record size Kafka's default socket.request.max.bytes cannot carry, with any codec", () => {
    const mib128 = String(128 * 1024 * 1024);
    const problems = problemsOf({
      DELIVERY_MODE: 'spool',
      KAFKA_COMPRESSION: 'none',
      KAFKA_MAX_RECORD_BYTES: mib128,
      SPOOL_MAX_BYTES: String(1024 * 1024 * 1024),
    }).join('\n');
    assert.match(
      problems,
      /KAFKA_MAX_RECORD_BYTES \(134217728\) with KAFKA_COMPRESSION=none makes produce requests of up to \d+ bytes, more than Kafka's socket.request.max.bytes \(104857600\)/,
    );
    // 100 MiB fits uncompressed, not once lz4 or snappy frame it.
    const mib100 = String(100 * 1024 * 1024 - 1024);
    loadAppConfig({ ...base, KAFKA_COMPRESSION: 'none', KAFKA_MAX_RECORD_BYTES: mib100 });
    assert.match(
      problemsOf({ KAFKA_COMPRESSION: 'snappy', KAFKA_MAX_RECORD_BYTES: mib100 }).join('\n'),
      /KAFKA_COMPRESSION=snappy makes produce requests/,
    );
  });
});
