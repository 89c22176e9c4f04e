import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Admin } from 'kafkajs';
import { EventMetrics } from '../metrics/index.js';
import { KafkaClients } from './kafka-clients.js';
import { kafkaSettings, type KafkaSettings } from './kafka.settings.js';
import { KafkaFailure } from './kafka-failure.js';

/** How often a check waiting for Kafka looks at the clock. */
const CHECK_STEP_MS = 250;

export interface KafkaState {
  /** `unknown` until the first check has answered. */
  status: 'unknown' | 'up' | 'down';
  /** Why it is down, in kafkajs' words (never a credential). */
  reason?: string;
  checkedAt?: Date;
}

/**
 * Whether this service can reach Kafka right now, with its own credentials: one cheap metadata
 * request (describeCluster) every KAFKA_CHECK_INTERVAL_MS in the background. Probes and metrics
 * read the last answer, so a burst of probes never becomes a burst of Kafka requests.
 */
@Injectable()
export class KafkaConnectivity implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(KafkaConnectivity.name);
  private current: KafkaState = { status: 'unknown' };
  private admin?: Admin;
  private timer?: NodeJS.Timeout;
  private checking?: Promise<void>;

  constructor(
    @Inject(kafkaSettings.token) private readonly kafka: KafkaSettings,
    private readonly clients: KafkaClients,
    metrics: EventMetrics,
  ) {
    const up = () => (this.current.status === 'up' ? 1 : 0);
    metrics.gauge({
      name: 'kafka_events_kafka_up',
      help: '1 when the last background check reached Kafka with this service credentials, else 0.',
      collect() {
        this.set(up());
      },
    });
  }

  get state(): KafkaState {
    return this.current;
  }

  onModuleInit(): void {
    this.checking = this.check();
    this.timer = setInterval(() => {
      this.checking ??= this.check();
    }, this.kafka.checkIntervalMs);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.checking;
    await this.admin?.disconnect().catch(() => undefined);
  }

  private async check(): Promise<void> {
    const timeoutMs = this.kafka.connectionTimeoutMs + this.kafka.requestTimeoutMs;
    // Cancelled once the check is over, so no timer outlives a check that answered in time.
    const timeout = new AbortController();
    try {
      this.admin ??= this.clients.create('health', 0).admin();
      const admin = this.admin;
      await Promise.race([
        admin.connect().then(() => admin.describeCluster()),
        timeOnTime(timeoutMs, timeout.signal).then(() => {
          throw new CheckTimeout(`no answer from Kafka within ${timeoutMs} ms`);
        }),
      ]);
      this.record({ status: 'up' });
    } catch (error) {
      const reason =
        error instanceof CheckTimeout ? error.message : KafkaFailure.from(error).reason;
      this.record({ status: 'down', reason });
      // A fresh client next time: one whose connection broke may keep failing.
      const broken = this.admin;
      this.admin = undefined;
      await broken?.disconnect().catch(() => undefined);
    } finally {
      timeout.abort();
      this.checking = undefined;
    }
  }

  private record(next: Omit<KafkaState, 'checkedAt'>): void {
    if (next.status !== this.current.status || next.reason !== this.current.reason) {
      if (next.status === 'up') this.logger.log('Kafka is reachable');
      else this.logger.warn(`Kafka is not reachable: ${next.reason}`);
    }
    this.current = { ...next, checkedAt: new Date() };
  }
}

class CheckTimeout extends Error {}

/**
 * Resolves once `ms` passed in which timers fired on time. A step that fired more than a step
 * late is not counted: the event loop was busy, Kafka's answer may be waiting unread in its
 * socket, and the time says nothing about Kafka.
 */
async function timeOnTime(ms: number, signal: AbortSignal): Promise<void> {
  let counted = 0;
  while (counted < ms) {
    const step = Math.min(CHECK_STEP_MS, ms - counted);
    const started = performance.now();
    await sleep(step, undefined, { ref: false, signal });
    const took = performance.now() - started;
    if (took <= step + CHECK_STEP_MS) counted += took;
  }
}
