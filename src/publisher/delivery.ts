import type { DeliveryMode } from './publisher.settings.js';
import type { EventEnvelope } from './event-envelope.js';
import type { Refusal, SendOptions } from '../kafka/index.js';

/** How many events of a request were taken, and where the permitted ones went. */
export interface DeliveryCounts {
  accepted: number;
  delivered: number;
  filtered: number;
  /** Events whose id was published already (a sender's retry): not published again. */
  duplicates: number;
}

/** What the sender is answered once `publish` resolved. */
export type DeliveryReceipt =
  | {
      status: 200;
      body: { accepted: number; published: number; filtered: number; duplicates: number };
    }
  | {
      status: 202;
      body: { accepted: number; spooled: number; filtered: number; duplicates: number };
    };

/**
 * Where a request's permitted envelopes go before its sender is answered: the one place that
 * knows the delivery mode. PublisherModule provides the implementation DELIVERY_MODE chooses
 * (KafkaDelivery or SpoolDelivery); nothing else asks which mode runs.
 */
export abstract class Delivery {
  abstract readonly mode: DeliveryMode;

  /**
   * Resolves once the envelopes are safe, as the mode defines it. Throws BackpressureError at
   * once when full, KafkaFailure when Kafka failed them.
   */
  abstract publish(envelopes: readonly EventEnvelope[]): Promise<void>;

  /** The answer for a request whose permitted events `publish` took. */
  abstract receipt(counts: DeliveryCounts): DeliveryReceipt;

  /**
   * Why a request of these envelopes could never be taken, however long its sender waits or
   * retries (refused with a 413, never a 503 that would repeat); undefined when it could.
   */
  abstract tooLarge(envelopes: readonly EventEnvelope[]): string | undefined;

  /** Why the events taken would not leave right now, for readiness; undefined when they would. */
  abstract get problem(): string | undefined;
}

/** What a delivery needs of KafkaProducer (a spec stands in for it with as much). */
export interface DeliverySender {
  /** The refusals, once every envelope was acknowledged or refused for good (KafkaProducer.send). */
  send(
    envelopes: readonly EventEnvelope[],
    options: SendOptions,
  ): Promise<ReadonlyMap<EventEnvelope, Refusal>>;
  /** Topics records are routed to that Kafka lacks and will not create (their records are refused). */
  readonly missing: readonly string[];
  /** Records bounded senders handed over that Kafka has not answered yet. */
  readonly depth: number;
}

/** What readiness says while records are routed to topics Kafka lacks and will not create. */
export function missingTopicsProblem(missing: readonly string[]): string | undefined {
  return missing.length === 0
    ? undefined
    : `events are routed to topics that do not exist and cannot be created (their events are refused): ${missing.join(', ')}`;
}
