import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chaosSeconds, reportChaos } from './support/chaos-report.js';
import { streamEvents } from './support/event-stream.js';
import { KafkaBroker } from './support/kafka-broker.js';
import { send, startService } from './support/service.js';
import { idCounts, lossAndDuplicates } from './support/topic-reader.js';

let broker: KafkaBroker;
const scratch: string[] = [];
before(async () => {
  broker = await KafkaBroker.start();
});
after(async () => {
  await broker?.stop();
  scratch.forEach((dir) => rmSync(dir, { recursive: true, force: true }));
});

describe('spool forwarder meeting file-system errors', () => {
  it('restarts after the checkpoint cannot be written, shows it in readiness and metrics, loses nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kafka-events-forwarder-'));
    scratch.push(dir);
    const service = await startService({
      KAFKA_BROKERS: broker.brokers,
      KAFKA_TOPIC: 'forwarder_faults',
      DELIVERY_MODE: 'spool',
      SPOOL_DIR: dir,
      FILTER_STORE: 'memory',
    });
    try {
      const stream = streamEvents(() => service.url, {
        workers: 4,
        maxRequests: 1_000_000,
        maxMs: chaosSeconds(8) * 1000,
      });
      await new Promise((resolve) => setTimeout(resolve, 1000));
      // A directory where the checkpoint's temporary file goes: every write of it fails (EISDIR),
      // as a real file-system error would, even for root.
      // The forwarder's own temporary file may be there at that instant (ENOTDIR): try again.
      for (let tries = 0; ; tries++) {
        try {
          mkdirSync(join(dir, 'checkpoint.json.tmp', 'blocked'), { recursive: true });
          break;
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'ENOTDIR' || tries >= 100) throw error;
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
      }
      let notReady: Record<string, unknown> | undefined;
      for (let tries = 0; tries < 100 && !notReady; tries++) {
        const ready = await send(`${service.url}/health/ready`, 'GET');
        if (ready.status === 503) notReady = ready.body;
        else await new Promise((resolve) => setTimeout(resolve, 50));
      }
      assert.match(String(notReady?.message), /delivery: the spool forwarder failed and restarts/);
      const metrics = await (await fetch(`${service.url}/metrics`)).text();
      assert.match(metrics, /kafka_events_spool_forwarder_up 0/);
      rmSync(join(dir, 'checkpoint.json.tmp'), { recursive: true });
      const result = await stream;
      const counts = await idCounts(broker.brokers, 'forwarder_faults', result.acknowledged);
      const { lost, duplicates } = lossAndDuplicates(result.acknowledged, counts);
      const restarts = /kafka_events_spool_forwarder_restarts_total (\d+)/.exec(
        await (await fetch(`${service.url}/metrics`)).text(),
      )?.[1];
      reportChaos({
        scenario: 'spool checkpoint unwritable (EISDIR) for a while',
        mode: 'spool',
        answered2xx: result.acknowledged.length,
        acknowledged: result.acknowledged.length,
        lost: lost.length,
        duplicates,
        faults: `${restarts} forwarder restarts`,
      });
      assert.ok(Number(restarts) >= 1);
      assert.ok(result.acknowledged.length > 50, 'the stream flowed');
      assert.deepEqual(lost, []);
      assert.equal((await send(`${service.url}/health/ready`, 'GET')).status, 200);
    } finally {
      await service.close();
    }
  });
});
