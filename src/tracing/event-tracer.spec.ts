import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { tracingSettings } from './tracing.settings.js';
import { EventTracer } from './event-tracer.js';

const KYTOS_TRACE = {
  traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
  tracestate: 'es=s:1',
};
const event = { name: 'kytos/topology.link_up', id: '0f6f0d1e-2a9f-4f5e-9a51-3f7e2c1b9a01' };

describe('EventTracer without an exporter', () => {
  const tracer = new EventTracer(tracingSettings.parse({}));

  it("gives the record the event's trace context as it came, and starts nothing without one", () => {
    assert.deepEqual(tracer.begin(KYTOS_TRACE, event, 'event_logs')?.headers, KYTOS_TRACE);
    assert.equal(tracer.begin(undefined, event, 'event_logs'), undefined);
  });
});
