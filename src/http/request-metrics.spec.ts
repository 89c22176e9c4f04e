import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { EventMetrics } from '../metrics/index.js';
import { RequestMetrics } from './request-metrics.js';

/** The service's kinds of route on a bare Fastify, counted by RequestMetrics. */
async function counted(): Promise<{ metrics: EventMetrics; fastify: FastifyInstance }> {
  const metrics = new EventMetrics();
  const fastify: FastifyInstance = Fastify();
  new RequestMetrics(metrics).install(fastify);
  const ok = () => ({ ok: true });
  fastify.post('/api/kytos/kafka_events/v1/events', { config: { webhook: true } }, (_r, reply) =>
    reply.code(413).send({}),
  );
  fastify.get('/api/kytos/kafka_events/v1/filters/:id', ok);
  fastify.post('/api/kytos/kafka_events/v1/forwarders/:id/report', ok);
  fastify.get('/health/ready', ok);
  fastify.get('/metrics', ok);
  fastify.get('/api/asyncapi.json', ok);
  fastify.get('/api/asyncapi', ok);
  fastify.get('/api/docs', ok);
  await fastify.ready();
  return { metrics, fastify };
}

describe('RequestMetrics', () => {
  it('counts each answer under its matched route and status, and times it', async () => {
    const { metrics, fastify } = await counted();
    await fastify.inject({ method: 'POST', url: '/api/kytos/kafka_events/v1/events' });
    await fastify.inject('/api/kytos/kafka_events/v1/filters/r1');
    await fastify.inject('/api/kytos/kafka_events/v1/filters/r2');
    await fastify.inject({
      method: 'POST',
      url: '/api/kytos/kafka_events/v1/forwarders/k1/report',
    });
    for (const url of [
      '/health/ready',
      '/metrics',
      '/api/asyncapi.json',
      '/api/asyncapi',
      '/api/docs',
    ]) {
      await fastify.inject(url);
    }
    const text = await metrics.registry.metrics();
    for (const [route, code, count] of [
      ['webhook', 413, 1],
      ['filters', 200, 2],
      ['forwarders', 200, 1],
      ['health', 200, 1],
      ['metrics', 200, 1],
      ['contract', 200, 2],
      ['docs', 200, 1],
    ] as const) {
      assert.ok(
        text.includes(
          `kafka_events_http_requests_total{route="${route}",code="${code}"} ${count}\n`,
        ),
        `${route} ${code} counted ${count} times`,
      );
    }
    assert.match(text, /kafka_events_http_request_duration_seconds_count\{route="filters"\} 2\n/);
    assert.match(
      text,
      /kafka_events_http_request_duration_seconds_bucket\{le="\+Inf",route="webhook"\} 1\n/,
    );
  });

  it('puts every path no route matched under one series, however many there are', async () => {
    const { metrics, fastify } = await counted();
    for (let i = 0; i < 50; i++) await fastify.inject(`/invented/${i}?x=${i}`);
    const text = await metrics.registry.metrics();
    const series = text
      .split('\n')
      .filter((line) => line.startsWith('kafka_events_http_requests_total{'));
    assert.deepEqual(series, ['kafka_events_http_requests_total{route="other",code="404"} 50']);
    assert.doesNotMatch(text, /invented/);
  });
});
