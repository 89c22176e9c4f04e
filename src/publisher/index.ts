// The publisher's public face: other modules import from here, never from its files.
export { Delivery, type DeliveryCounts, type DeliveryReceipt } from './delivery.js';
export {
  type CloudEventOrigin,
  CLOUD_EVENT_SOURCE_PATTERN,
  CONTROL_CHARACTER_RANGES,
  type EnvelopeOptions,
  EventEnvelope,
  RECORD_HEADER,
  UnserializableEventError,
} from './event-envelope.js';
export { PublisherModule } from './publisher.module.js';
export { publisherSettings, type PublisherSettings, type RecordKey } from './publisher.settings.js';
export { type DrainOutcome, SpoolDelivery } from './spool/spool-delivery.js';
