// The publisher's public face: other modules import from here, never from its files.
export { BackpressureError } from './backpressure-error.js';
export { EventEnvelope, UnserializableEventError, type KytosEvent } from './event-envelope.js';
export { PublisherModule } from './publisher.module.js';
export { PublisherService } from './publisher.service.js';
export type { ForwarderState } from './spool/spool-forwarder.js';
