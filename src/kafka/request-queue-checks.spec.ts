import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import RequestQueue from 'kafkajs/src/network/requestQueue/index.js';
import { stopIdleRequestQueueChecks } from './request-queue-checks.js';

const silent = { debug: () => undefined, warn: () => undefined, error: () => undefined };

/** kafkajs' own request queue of one broker connection, as its Connection builds it. */
function queue(): RequestQueue {
  return new RequestQueue({
    maxInFlightRequests: 1,
    requestTimeout: 30_000,
    enforceRequestTimeout: false,
    clientId: 'spec',
    broker: '127.0.0.1:9092',
    logger: silent,
  });
}

/** A request that expects no answer: it is done once sent. */
function request(correlationId: number, sent: number[]): object {
  return {
    entry: { correlationId, apiKey: 0, apiName: 'Produce', apiVersion: 3, resolve: () => 0 },
    expectResponse: false,
    sendRequest: () => sent.push(correlationId),
  };
}

describe('stopIdleRequestQueueChecks', () => {
  stopIdleRequestQueueChecks();

  it('leaves no timer behind when nothing waits and no throttle runs', () => {
    const idle = queue();
    idle.checkPendingRequests();
    assert.equal(idle.throttleCheckTimeoutId, null, 'a check was scheduled with nothing to check');
    const sent: number[] = [];
    idle.push(request(1, sent));
    assert.deepEqual(sent, [1], 'a request is still sent as it comes');
    assert.equal(idle.throttleCheckTimeoutId, null);
  });

  it('still sends a request held by a broker throttle once the throttle ends', async () => {
    const throttled = queue();
    const sent: number[] = [];
    const start = Date.now();
    throttled.maybeThrottle(100);
    throttled.push(request(7, sent));
    assert.deepEqual(sent, [], 'held while throttled');
    for (let waited = 0; sent.length === 0 && waited < 2000; waited += 10) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    assert.deepEqual(sent, [7]);
    assert.ok(Date.now() - start >= 90, 'not before the throttle ended');
    throttled.destroy();
  });
});
