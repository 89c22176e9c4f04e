import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { streamBatches } from './support/event-stream.js';
import { KafkaBroker } from './support/kafka-broker.js';
import { KafkaFaultProxy, startProxiedBroker } from './support/kafka-fault-proxy.js';
import { startService } from './support/service.js';
import { idCounts, lossAndDuplicates } from './support/topic-reader.js';
import { chaosSeconds, reportChaos } from './support/chaos-report.js';

/** Seconds of faulty traffic per mode: CHAOS_SECONDS (npm run chaos) or a bounded CI default. */
const seconds = chaosSeconds(15);

let broker: KafkaBroker;
let proxy: KafkaFaultProxy;
const scratch: string[] = [];

/**
 * One broker with a second listener that advertises the proxy: the service bootstraps through
 * the proxy and every connection it opens goes through it; the test's reader uses the plain one.
 */
before(async () => {
  ({ broker, proxy } = await startProxiedBroker(42, []));
});
after(async () => {
  await proxy?.close();
  await broker?.stop();
  scratch.forEach((dir) => rmSync(dir, { recursive: true, force: true }));
});

for (const mode of ['kafka', 'spool'] as const) {
  describe(`${mode} mode, produce answers cut after the broker wrote the batch`, () => {
    it('loses no acknowledged event with several keys in flight on one partition', async (t) => {
      const topic = `cut_answers_${mode}`;
      const spoolDir = mkdtempSync(join(tmpdir(), 'kafka-events-chaos-'));
      scratch.push(spoolDir);
      const service = await startService({
        KAFKA_BROKERS: proxy.address,
        KAFKA_TOPIC: topic,
        KAFKA_TOPIC_PARTITIONS: '1',
        FILTER_STORE: 'memory',
        DELIVERY_MODE: mode,
        SPOOL_DIR: spoolDir,
        KAFKA_REQUEST_TIMEOUT_MS: '3000',
      });
      const before = { ...proxy.counts };
      // The spool sends fewer, larger batches: a higher rate gives it as many faults.
      const cutProduceAnswer = mode === 'kafka' ? 0.06 : 0.25;
      proxy.setPlan({ cutProduceAnswer, resetMidRequest: 0.01, latencyMs: 2 });
      let sent;
      try {
        sent = await streamBatches(service.url, {
          workers: 4,
          batchSize: 20,
          names: 16,
          maxRequests: 1_000_000,
          maxMs: seconds * 1000,
        });
      } finally {
        proxy.setPlan({});
      }
      const counts = await idCounts(broker.brokers, topic, sent.acknowledged, 60_000);
      await service.close();
      const { lost, duplicates } = lossAndDuplicates(sent.acknowledged, counts);
      const cut = proxy.counts.answersCut - before.answersCut;
      const resets = proxy.counts.resetsMidRequest - before.resetsMidRequest;
      t.diagnostic(
        `${mode}: ${cut} answers cut, ${resets} resets mid-request; answers ${JSON.stringify(sent.statuses)}; ` +
          `${sent.acknowledged.length} events acknowledged, ${lost.length} lost, ${duplicates} duplicates`,
      );
      reportChaos({
        scenario: `produce answers cut after the write (${cutProduceAnswer * 100}% of requests), resets mid-request (1%), 0-2 ms latency`,
        mode,
        answered2xx: (sent.statuses['200'] ?? 0) + (sent.statuses['202'] ?? 0),
        acknowledged: sent.acknowledged.length,
        lost: lost.length,
        duplicates,
        faults: `${cut} answers cut, ${resets} resets`,
      });
      assert.ok(cut >= 5, `faults were injected (${cut} answers cut)`);
      assert.ok(sent.acknowledged.length > 1000, 'traffic flowed');
      assert.deepEqual(lost, [], `${lost.length} acknowledged events are missing from the topic`);
    });
  });
}
