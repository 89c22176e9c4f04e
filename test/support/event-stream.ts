import { randomUUID } from 'node:crypto';
import { EVENTS_PATH, postJson } from './service.js';

export interface StreamResult {
  /** Ids of the events the service acknowledged (200 or 202). */
  acknowledged: string[];
  /** Answers by status code; `error` counts requests that got no answer (connection refused, reset). */
  statuses: Record<string, number>;
}

/**
 * A steady stream of single-event requests from `workers` concurrent senders, bounded in count
 * and time, that stops early when `stop` is aborted. A sender that gets no answer waits a little,
 * as a real one would.
 */
export async function streamEvents(
  url: () => string,
  options: { workers: number; maxRequests: number; maxMs: number; stop?: AbortSignal },
): Promise<StreamResult> {
  const result: StreamResult = { acknowledged: [], statuses: {} };
  const deadline = Date.now() + options.maxMs;
  let started = 0;
  const worker = async (): Promise<void> => {
    while (started < options.maxRequests && Date.now() < deadline && !options.stop?.aborted) {
      started++;
      const id = randomUUID();
      const event = { name: 'kytos/topology.link_up', id, content: { link: { id: 'l1' } } };
      let status = 'error';
      try {
        const answer = await postJson(url() + EVENTS_PATH, event);
        status = String(answer.status);
        if (answer.status === 200 || answer.status === 202) result.acknowledged.push(id);
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

/**
 * Batches of `batchSize` events of one entity each, cycling through `names` event names (so
 * record keys: batches of other keys may be in flight together), from
 * `workers` concurrent senders, bounded in count and time, until `stop` is aborted.
 */
export async function streamBatches(
  url: string,
  options: {
    workers: number;
    batchSize: number;
    names: number;
    maxRequests: number;
    maxMs: number;
    stop?: AbortSignal;
  },
): Promise<StreamResult> {
  const result: StreamResult = { acknowledged: [], statuses: {} };
  const deadline = Date.now() + options.maxMs;
  let started = 0;
  const worker = async (): Promise<void> => {
    while (started < options.maxRequests && Date.now() < deadline && !options.stop?.aborted) {
      const request = started++;
      const events = Array.from({ length: options.batchSize }, (_, i) => ({
        name: `kytos/chaos.entity_${request % options.names}`,
        id: randomUUID(),
        content: { request, i },
      }));
      let status = 'error';
      try {
        const answer = await postJson(url + EVENTS_PATH, events);
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
