import { randomUUID } from 'node:crypto';
import { Agent, request } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * The Kytos NApp's webhook client (integrations/kytos-napp/webhook_forwarder/webhook_client.py),
 * its delivery rules reproduced line for line: one kept-alive connection, one batch at a time;
 * the same retried statuses (a 502 only when it is not the service's own), the same split of a
 * batch of several on 413 or the service's 400/502 (first half, then second), the same backoff
 * (exponential from 0.2 s up to 10 s, equal jitter), Retry-After up to 60 s, each attempt ended
 * within 10 s, and a deadline only once it is asked to stop (the NApp's shutdown flush).
 * Bodies stay under the NApp's 16 KiB gzip threshold, so none is compressed.
 */
const RETRIED_STATUSES = new Set([401, 403, 408, 425, 429, 500, 502, 503, 504]);
const SPLIT_STATUSES = new Set([400, 413, 502]);
const ANSWER_MAX_BYTES = 64 * 1024;
const REQUEST_TIMEOUT_MS = 10_000;
const INITIAL_DELAY_MS = 200;
const MAX_DELAY_MS = 10_000;
const MAX_RETRY_AFTER_MS = 60_000;

type Outcome = 'delivered' | 'rejected' | 'too_large' | 'split' | 'gave_up';

interface Answer {
  status: number;
  retryAfter: string;
  body: string;
}

/** What one sender saw, event by event and request by request. */
export interface SenderTally {
  /** Ids of events answered 2xx. */
  acknowledged: string[];
  /** Ids of events the sender stopped trying by its deadline. */
  gaveUp: string[];
  /** Ids of events refused for good (4xx, the service's 502). */
  refused: string[];
  /** Requests answered 2xx. */
  answered2xx: number;
  /** Answers by status, every attempt. */
  statuses: Map<number, number>;
  /** 5xx answers not in the service's JSON shape: the balancer's own (no server, a cut answer). */
  balancerErrors: number;
  /** Attempts that got no answer (refused or reset connection, timeout). */
  transportErrors: number;
}

function emptyTally(): SenderTally {
  return {
    acknowledged: [],
    gaveUp: [],
    refused: [],
    answered2xx: 0,
    statuses: new Map(),
    balancerErrors: 0,
    transportErrors: 0,
  };
}

/**
 * Posts batches of events with unique ids continuously until stopped. What it sees is tallied by
 * the phase current when a batch was made (see `phase`), so that each step of a test has its
 * own counts.
 */
export class NappSender {
  /** The tally a new batch counts in. */
  phase = 'start';
  readonly tallies = new Map<string, SenderTally>();
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 1 });
  private deadline?: number;
  private running?: Promise<void>;

  constructor(
    private readonly url: string,
    private readonly eventsPerBatch: number,
    /** Pause between two batches: the pace of Kytos' events. */
    private readonly pauseMs: number,
  ) {}

  start(): void {
    this.running = this.loop();
  }

  /** Stops taking new events; the batch in flight gets `flushMs` more, as the NApp's flush. */
  async stop(flushMs: number): Promise<void> {
    this.deadline = performance.now() + flushMs;
    await this.running;
    this.agent.destroy();
  }

  private async loop(): Promise<void> {
    for (let batch = 0; this.deadline === undefined; batch++) {
      const events = Array.from({ length: this.eventsPerBatch }, (_, index) => ({
        name: 'kytos/topology.link_up',
        id: randomUUID(),
        content: { batch, index },
      }));
      let tally = this.tallies.get(this.phase);
      if (!tally) this.tallies.set(this.phase, (tally = emptyTally()));
      await this.send(events, tally);
      if (this.pauseMs > 0) await sleep(this.pauseMs);
    }
  }

  /** forwarder.py's `_send`: a split batch goes as its two halves, in order. */
  private async send(events: readonly { id: string }[], tally: SenderTally): Promise<void> {
    const outcome = await this.deliver(events, tally);
    const ids = events.map((event) => event.id);
    if (outcome === 'split') {
      const middle = Math.floor(events.length / 2);
      await this.send(events.slice(0, middle), tally);
      await this.send(events.slice(middle), tally);
    } else if (outcome === 'delivered') tally.acknowledged.push(...ids);
    else if (outcome === 'gave_up') tally.gaveUp.push(...ids);
    else tally.refused.push(...ids);
  }

  private async deliver(events: readonly unknown[], tally: SenderTally): Promise<Outcome> {
    const body = JSON.stringify(events);
    for (let attempt = 0; ; attempt++) {
      let wait = 0;
      try {
        const answer = await this.exchange(body);
        const judged = judge(answer, events.length, tally);
        if (judged.outcome) return judged.outcome;
        wait = judged.waitMs;
      } catch {
        tally.transportErrors++;
      }
      const delay = Math.max(wait, backoffMs(attempt));
      if (this.deadline !== undefined && performance.now() + delay > this.deadline) {
        return 'gave_up';
      }
      await sleep(delay);
    }
  }

  /** One POST and at most ANSWER_MAX_BYTES of its answer, all within the request timeout. */
  private exchange(body: string): Promise<Answer> {
    const budget =
      this.deadline === undefined
        ? REQUEST_TIMEOUT_MS
        : Math.max(0, Math.min(REQUEST_TIMEOUT_MS, this.deadline - performance.now()));
    return new Promise((resolve, reject) => {
      const outgoing = request(
        this.url,
        {
          method: 'POST',
          agent: this.agent,
          headers: { 'content-type': 'application/json', 'accept-encoding': 'identity' },
          signal: AbortSignal.timeout(budget),
        },
        (incoming) => {
          let text = '';
          incoming.setEncoding('utf8');
          incoming.on('data', (chunk: string) => {
            text += chunk.slice(0, ANSWER_MAX_BYTES + 1 - text.length);
            if (text.length > ANSWER_MAX_BYTES) incoming.destroy();
          });
          incoming.once('error', reject);
          incoming.once('close', () => {
            if (!incoming.complete && text.length <= ANSWER_MAX_BYTES) {
              reject(new Error('the answer was cut'));
              return;
            }
            resolve({
              status: incoming.statusCode ?? 0,
              retryAfter: String(incoming.headers['retry-after'] ?? ''),
              body: text.slice(0, ANSWER_MAX_BYTES),
            });
          });
        },
      );
      outgoing.once('error', reject);
      outgoing.end(body);
    });
  }
}

/** webhook_client.py's `_judge`: an outcome, or none and the Retry-After asked for. */
function judge(
  answer: Answer,
  count: number,
  tally: SenderTally,
): { outcome?: Outcome; waitMs: number } {
  const { status } = answer;
  tally.statuses.set(status, (tally.statuses.get(status) ?? 0) + 1);
  const ours = isServiceError(answer);
  if (status >= 500 && !ours) tally.balancerErrors++;
  if (status >= 200 && status < 300) {
    tally.answered2xx++;
    return { outcome: 'delivered', waitMs: 0 };
  }
  if (count > 1 && (status === 413 || (SPLIT_STATUSES.has(status) && ours))) {
    return { outcome: 'split', waitMs: 0 };
  }
  if (RETRIED_STATUSES.has(status) && !(status === 502 && ours)) {
    return { waitMs: retryAfterMs(answer.retryAfter) };
  }
  return { outcome: status === 413 ? 'too_large' : 'rejected', waitMs: 0 };
}

/** Exponential with equal jitter: half fixed, half random. */
function backoffMs(attempt: number): number {
  const ceiling = Math.min(MAX_DELAY_MS, INITIAL_DELAY_MS * 2 ** Math.min(attempt, 30));
  return ceiling / 2 + Math.random() * (ceiling / 2);
}

function retryAfterMs(value: string): number {
  const text = value.trim();
  let ms = 0;
  if (/^\d+$/.test(text)) ms = Number(text) * 1000;
  else if (text) {
    const date = Date.parse(text);
    ms = Number.isNaN(date) ? 0 : date - Date.now();
  }
  return Math.min(Math.max(ms, 0), MAX_RETRY_AFTER_MS);
}

/** The service's own error shape (`statusCode` in a JSON body), not a proxy's page. */
function isServiceError(answer: Answer): boolean {
  try {
    return (JSON.parse(answer.body) as { statusCode?: unknown }).statusCode === answer.status;
  } catch {
    return false;
  }
}
