import { Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pathOf } from './request-path.js';

/** A caller's own id is kept only if it is short and plain: it goes into the log lines about its request. */
const ACCEPTED_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Lines per second for each status of failed requests: a flood of refusals must not flood the log. */
const LINES_PER_SECOND = 10;

/**
 * The id a request was answered with, for the log lines written about it. Read from the answer
 * instead of an AsyncLocalStorage: with one active, Node 20 runs a hook on every promise, and
 * that cost the webhook much of its single-event rate (docs/performance-history.md).
 */
export function answeredRequestId(response: ServerResponse): string | undefined {
  const id = response.getHeader('X-Request-Id');
  return typeof id === 'string' ? id : undefined;
}

/**
 * Gives each request an id (the caller's `X-Request-Id`, or a new one), answers with it, and
 * logs one line per request that did not succeed; successes only at `debug`, as a webhook sees
 * thousands a second. Headers and bodies are never logged: they carry secrets and event contents.
 */
export function requestContext(): (
  request: IncomingMessage,
  response: ServerResponse,
  next: () => void,
) => void {
  const logger = new Logger('Http');
  const budget = new LogBudget(LINES_PER_SECOND);
  return (request, response, next) => {
    const given = request.headers['x-request-id'];
    const requestId =
      typeof given === 'string' && ACCEPTED_REQUEST_ID.test(given) ? given : randomUUID();
    response.setHeader('X-Request-Id', requestId);
    const started = process.hrtime.bigint();
    response.once('finish', () => {
      const { statusCode } = response;
      if (statusCode < 400 && !Logger.isLevelEnabled('debug')) return;
      const suppressed = statusCode >= 400 ? budget.take(statusCode) : 0;
      if (suppressed === undefined) return;
      const path = pathOf(request);
      const line = {
        requestId,
        method: request.method,
        path,
        status: statusCode,
        durationMs: Number(process.hrtime.bigint() - started) / 1e6,
        client: request.socket.remoteAddress,
        ...(suppressed > 0 ? { suppressedBefore: suppressed } : {}),
      };
      const message = `${request.method} ${path} ${statusCode}`;
      if (statusCode >= 500) logger.warn(message, line);
      else if (statusCode >= 400) logger.log(message, line);
      else logger.debug(message, line);
    });
    next();
  };
}

/**
 * At most `perSecond` lines a second for each status: undefined when this one is to be left
 * out, else how many were left out since the last line of that status (said in the next one).
 */
class LogBudget {
  private readonly statuses = new Map<number, { second: number; lines: number; left: number }>();

  constructor(private readonly perSecond: number) {}

  take(status: number): number | undefined {
    const second = Math.floor(Date.now() / 1000);
    let state = this.statuses.get(status);
    if (!state) this.statuses.set(status, (state = { second, lines: 0, left: 0 }));
    if (state.second !== second) {
      state.second = second;
      state.lines = 0;
    }
    if (state.lines >= this.perSecond) {
      state.left++;
      return undefined;
    }
    state.lines++;
    const left = state.left;
    state.left = 0;
    return left;
  }
}
