import { appendFileSync } from 'node:fs';

/** One scenario of the fault-injection suite, as `npm run chaos` prints it. */
export interface ChaosRow {
  scenario: string;
  mode: 'kafka' | 'spool';
  /** Requests answered 200 or 202. */
  answered2xx: number;
  /** Events in those requests. */
  acknowledged: number;
  /** Acknowledged events missing from the topic. */
  lost: number;
  duplicates: number;
  /** Events of senders that did nothing wrong refused for good (4xx, 502) because of another's. */
  innocentRefused?: number;
  /** Faults injected, in words (e.g. "146 answers cut"). */
  faults: string;
}

/** How long each scenario streams, in seconds: CHAOS_SECONDS, or the bounded CI default. */
export function chaosSeconds(fallback: number): number {
  const value = Number(process.env.CHAOS_SECONDS);
  return Number.isFinite(value) && value > 0 ? value : fallback;
}

/** Appends a row to CHAOS_REPORT (JSON lines) when `npm run chaos` asked for one. */
export function reportChaos(row: ChaosRow): void {
  const file = process.env.CHAOS_REPORT;
  if (file) appendFileSync(file, `${JSON.stringify(row)}\n`);
}

/** One request budget held under attack (#33): the bound the code applies and what was measured. */
export interface BoundRow {
  /** What was done to the service, in words ("32 unauthenticated 16 MiB uploads held open"). */
  attack: string;
  /** The bound, as the docs state it ("memory growth at most 96 MiB"). */
  bound: string;
  /** What this run measured ("RSS +41 MiB, each 503 within 12 ms"). */
  measured: string;
}

/** Appends a bound row to CHAOS_REPORT when `npm run chaos` asked for one. */
export function reportBound(row: BoundRow): void {
  const file = process.env.CHAOS_REPORT;
  if (file) appendFileSync(file, `${JSON.stringify({ bound: row })}\n`);
}

/** Appends a measured figure (not a pass/fail) to CHAOS_REPORT. */
export function reportFigure(figure: string): void {
  const file = process.env.CHAOS_REPORT;
  if (file) appendFileSync(file, `${JSON.stringify({ figure })}\n`);
}
