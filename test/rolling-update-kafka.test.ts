import { after, before, describe, it } from 'node:test';
import { KafkaBroker } from './support/kafka-broker.js';
import { rollThrough } from './support/rolling-cluster.js';

describe('kafka mode: 3 instances behind HAProxy, 2 senders with the NApp retry policy (#34)', () => {
  let broker: KafkaBroker;
  before(async () => {
    broker = await KafkaBroker.start();
  });
  after(async () => {
    await broker?.stop();
  });

  it('a rolling update, then a SIGKILL: nothing acknowledged is lost, the senders give up on nothing', (t) =>
    rollThrough(t, broker.brokers, 'kafka'));
});
