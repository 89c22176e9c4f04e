import type { ForwardersSettings } from './forwarders.settings.js';

/** A NApp's counters, as one report gives them (since its run started) or as exported. */
export interface ForwarderCounters {
  forwarded: number;
  droppedByCause: Readonly<Record<string, number>>;
  queueDepth: number;
  loopSeconds: number;
  eventsSeen?: number;
  filteredLocally?: number;
}

/** A known forwarder as a scrape sees it. */
export interface ForwarderState {
  id: string;
  /** Its counters over every run this instance heard of; queueDepth as last reported. */
  counters: ForwarderCounters;
  /** When its last report arrived, in Unix milliseconds. */
  lastReportMs: number;
  /** No report for longer than FORWARDER_SILENT_AFTER_MS. */
  silent: boolean;
}

/** A report from one forwarder more than FORWARDERS_MAX. */
export class TooManyForwardersError extends Error {
  constructor(readonly max: number) {
    super(
      `${max} forwarders already report to this instance (FORWARDERS_MAX) and this id is not one of them: raise FORWARDERS_MAX, or restart the service to forget ids no longer used`,
    );
    this.name = 'TooManyForwardersError';
  }
}

/** A report of the same run that counts less than the one before it. */
export class CountersWentBackError extends Error {
  constructor(id: string, counter: string) {
    super(
      `forwarder ${id} reported a lower ${counter} than before in the same run: counters only grow within a run (a restarted NApp reports a new run)`,
    );
    this.name = 'CountersWentBackError';
  }
}

/** A report of a run after a newer one of the same id reported: two NApps share one id. */
export class RunSupersededError extends Error {
  constructor(id: string, run: string) {
    super(
      `forwarder ${id} reported run ${run}, which a newer run replaced: two NApps report under one id (give each its own KAFKA_EVENTS_FORWARDER_ID)`,
    );
    this.name = 'RunSupersededError';
  }
}

/** Runs of one forwarder remembered as ended, enough to catch two NApps sharing an id. */
const ENDED_RUNS_KEPT = 8;

interface Known {
  run: string;
  /** Runs this forwarder had before the current one, the latest last. */
  ended: readonly string[];
  /** The current run's counters, as its last report gave them. */
  current: ForwarderCounters;
  /** The counters of the runs before it, added up. */
  earlier: ForwarderCounters;
  at: number;
}

const NONE: ForwarderCounters = { forwarded: 0, droppedByCause: {}, queueDepth: 0, loopSeconds: 0 };

/**
 * The reports of each forwarder. One is forgotten only when its NApp says it stops (a final
 * report): a forwarder that went quiet is exactly what must keep showing (silent), so a stuck
 * kytosd keeps paging.
 * A restarted NApp counts from 0 again; its new run's counts are added to the earlier runs', so
 * the exported counters never go down, and a reset between two scrapes loses nothing.
 */
export class ForwarderRegistry {
  private readonly known = new Map<string, Known>();

  constructor(
    private readonly settings: ForwardersSettings,
    /**
     * Unix milliseconds. By default the process' monotonic clock from its start, so that a step
     * of the wall clock neither hides a silent forwarder nor makes a live one look silent.
     */
    private readonly now: () => number = () => performance.timeOrigin + performance.now(),
  ) {}

  record(id: string, run: string, counters: ForwarderCounters): void {
    const known = this.known.get(id);
    if (!known && this.known.size >= this.settings.maxForwarders) {
      throw new TooManyForwardersError(this.settings.maxForwarders);
    }
    if (known?.ended.includes(run)) throw new RunSupersededError(id, run);
    let earlier = known?.earlier ?? NONE;
    let ended = known?.ended ?? [];
    if (known?.run === run) {
      const lower = firstLower(known.current, counters);
      if (lower) throw new CountersWentBackError(id, lower);
    } else if (known) {
      earlier = added(known.earlier, known.current);
      ended = [...ended, known.run].slice(-ENDED_RUNS_KEPT);
    }
    this.known.set(id, { run, ended, current: counters, earlier, at: this.now() });
  }

  /**
   * A NApp's last report, at its shutdown: it is no longer expected, its series go. Only its
   * current run's: a twin's final report (an ended run) does not hide the one still running.
   */
  forget(id: string, run: string): void {
    if (this.known.get(id)?.run === run) this.known.delete(id);
  }

  /** Every known forwarder, silent or not as of now. */
  states(): ForwarderState[] {
    const now = this.now();
    return [...this.known].map(([id, { current, earlier, at }]) => ({
      id,
      counters: { ...added(earlier, current), queueDepth: current.queueDepth },
      lastReportMs: at,
      silent: now - at > this.settings.silentAfterMs,
    }));
  }
}

/** The name of a counter `next` has lower than `last`, if any. */
function firstLower(last: ForwarderCounters, next: ForwarderCounters): string | undefined {
  const pairs: [string, number | undefined, number | undefined][] = [
    ['forwarded', last.forwarded, next.forwarded],
    ['loop_seconds', last.loopSeconds, next.loopSeconds],
    ['events_seen', last.eventsSeen, next.eventsSeen],
    ['filtered_locally', last.filteredLocally, next.filteredLocally],
    ...Object.entries(last.droppedByCause).map(
      ([cause, count]): [string, number, number | undefined] => [
        `dropped.${cause}`,
        count,
        next.droppedByCause[cause] ?? 0,
      ],
    ),
  ];
  return pairs.find(([, before, after]) => (after ?? 0) < (before ?? 0))?.[0];
}

/** Two runs' counters added up (an optional counter stays absent when both lack it). */
function added(a: ForwarderCounters, b: ForwarderCounters): ForwarderCounters {
  const droppedByCause: Record<string, number> = { ...a.droppedByCause };
  for (const [cause, count] of Object.entries(b.droppedByCause)) {
    droppedByCause[cause] = (droppedByCause[cause] ?? 0) + count;
  }
  const optional = (x: number | undefined, y: number | undefined) =>
    x === undefined && y === undefined ? undefined : (x ?? 0) + (y ?? 0);
  return {
    forwarded: a.forwarded + b.forwarded,
    droppedByCause,
    queueDepth: b.queueDepth,
    loopSeconds: a.loopSeconds + b.loopSeconds,
    eventsSeen: optional(a.eventsSeen, b.eventsSeen),
    filteredLocally: optional(a.filteredLocally, b.filteredLocally),
  };
}
