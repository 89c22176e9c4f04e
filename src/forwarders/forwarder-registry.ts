import type { ForwardersSettings } from './forwarders.settings.js';

/** A NApp's counters since it started, as its last report gave them. */
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

/**
 * The last report of each forwarder. None is forgotten while the service runs: a forwarder that
 * went quiet is exactly what must keep showing (silent), so a stuck kytosd keeps paging.
 */
export class ForwarderRegistry {
  private readonly known = new Map<string, { counters: ForwarderCounters; at: number }>();

  constructor(
    private readonly settings: ForwardersSettings,
    /**
     * Unix milliseconds. By default the process' monotonic clock from its start, so that a step
     * of the wall clock neither hides a silent forwarder nor makes a live one look silent.
     */
    private readonly now: () => number = () => performance.timeOrigin + performance.now(),
  ) {}

  record(id: string, counters: ForwarderCounters): void {
    if (!this.known.has(id) && this.known.size >= this.settings.maxForwarders) {
      throw new TooManyForwardersError(this.settings.maxForwarders);
    }
    this.known.set(id, { counters, at: this.now() });
  }

  /** Every known forwarder, silent or not as of now. */
  states(): ForwarderState[] {
    const now = this.now();
    return [...this.known].map(([id, { counters, at }]) => ({
      id,
      counters,
      lastReportMs: at,
      silent: now - at > this.settings.silentAfterMs,
    }));
  }
}
