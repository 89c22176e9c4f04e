import { Counter, type Registry } from 'prom-client';

/** Where an event is counted by its name on its way through. */
export type EventStage = 'received' | 'permitted' | 'published';

/** Names counted one by one; senders choose names, so any beyond these share one series. */
export const EVENT_NAMES_COUNTED = 256;

/** The `event` label of the names past EVENT_NAMES_COUNTED. */
export const OTHER_EVENT_NAMES = '_other';

type Stages = Record<EventStage, Counter.Internal>;

/**
 * `kafka_events_events_total{event,stage}`: events by name, the first EVENT_NAMES_COUNTED names
 * an instance sees each with series of their own. Each name's children are bound once, so
 * counting an event is one lookup.
 */
export class EventNameCounts {
  private readonly counter: Counter<'event' | 'stage'>;
  private readonly stagesByName = new Map<string, Stages>();

  constructor(registry: Registry) {
    this.counter = new Counter({
      name: 'kafka_events_events_total',
      help: `Events by name and stage: received (valid, at the webhook), permitted (a rule allowed it), published (Kafka acknowledged it). The first ${EVENT_NAMES_COUNTED} names an instance sees have series of their own, any later one counts under "${OTHER_EVENT_NAMES}".`,
      labelNames: ['event', 'stage'] as const,
      registers: [registry],
    });
  }

  count(stage: EventStage, name: string, count = 1): void {
    // Names that differ only in lone surrogates print as one label text: one series for them.
    this.stagesOf(name.isWellFormed() ? name : name.toWellFormed())[stage].inc(count);
  }

  private stagesOf(name: string): Stages {
    const known = this.stagesByName.get(name);
    if (known) return known;
    const label = this.stagesByName.size < EVENT_NAMES_COUNTED ? name : OTHER_EVENT_NAMES;
    let stages = this.stagesByName.get(label);
    if (!stages) {
      stages = {
        received: this.counter.labels(label, 'received'),
        permitted: this.counter.labels(label, 'permitted'),
        published: this.counter.labels(label, 'published'),
      };
      this.stagesByName.set(label, stages);
    }
    return stages;
  }
}
