import { randomUUID } from 'node:crypto';
import { EVENTS_PATH, postJson } from './service.js';

export interface StreamResult {
  /** Ids of the events the service acknowledged (200 or 202). */
  acknowledged: string[];
  /** Answers by status code; `error` counts requests that got no answer (connection refused, reset). */
  statuses: Record<string, number>;
}

interface StreamOptions {
  workers: number;
  maxRequests: number;
  maxMs: number;
  stop?: AbortSignal;
}

interface StreamedEvent {
  name: string;
  id: string;
  content: Record<string, unknown>;
}

/**
 * A steady stream of single-event requests from `workers` concurrent senders, bounded in count
 * and time, that stops early when `stop` is aborted.
 */
export function streamEvents(url: () => string, options: StreamOptions): Promise<StreamResult> {
  return stream(url, options, () => [
    { name: 'kytos/topology.link_up', id: randomUUID(), content: { link: { id: 'l1' } } },
  ]);
}

/**
 * Batches of `batchSize` events of one entity each, cycling through `names` event names (so
 * record keys: batches of other keys may be in flight together).
 */
export function streamBatches(
  url: string,
  options: StreamOptions & { batchSize: number; names: number },
): Promise<StreamResult> {
  return stream(
    () => url,
    options,
    (request) =>
      Array.from({ length: options.batchSize }, (_, i) => ({
        name: `kytos/chaos.entity_${request % options.names}`,
        id: randomUUID(),
        content: { request, i },
      })),
  );
}

/** Posts `eventsOf(n)` as request n (an array when more than one); a sender that gets no answer waits a little, as a real one would. */
async function stream(
  url: () => string,
  options: StreamOptions,
  eventsOf: (request: number) => StreamedEvent[],
): Promise<StreamResult> {
  const result: StreamResult = { acknowledged: [], statuses: {} };
  const deadline = Date.now() + options.maxMs;
  let started = 0;
  const worker = async (): Promise<void> => {
    while (started < options.maxRequests && Date.now() < deadline && !options.stop?.aborted) {
      const events = eventsOf(started++);
      let status = 'error';
      try {
        const answer = await postJson(
          url() + EVENTS_PATH,
          events.length === 1 ? events[0] : events,
        );
        status = String(answer.status);
        if (answer.status === 200 || answer.status === 202) {
          result.acknowledged.push(...events.map((event) => event.id));
        }
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      result.statuses[status] = (result.statuses[status] ?? 0) + 1;
      if (status === '503') await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };
  await Promise.all(Array.from({ length: options.workers }, worker));
  return result;
}
