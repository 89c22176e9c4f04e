import { Logger } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';

/** A caller's own id is kept only if it is short and plain: it goes into every log line. */
const ACCEPTED_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

const context = new AsyncLocalStorage<{ requestId: string }>();

/** The id of the request this code runs for, if any (log lines carry it). */
export function currentRequestId(): string | undefined {
  return context.getStore()?.requestId;
}

/**
 * Gives each request an id (the caller's `X-Request-Id`, or a new one), answers with it, and
 * logs one line per request that did not succeed; successes only at `debug`, as a webhook sees
 * thousands a second. Headers and bodies are never logged: they carry secrets and event contents.
 */
export function requestContext(): (
  request: Request,
  response: Response,
  next: NextFunction,
) => void {
  const logger = new Logger('Http');
  return (request, response, next) => {
    const given = request.header('x-request-id');
    const requestId = given && ACCEPTED_REQUEST_ID.test(given) ? given : randomUUID();
    response.setHeader('X-Request-Id', requestId);
    const started = process.hrtime.bigint();
    context.run({ requestId }, () => {
      response.once('finish', () => {
        const { statusCode } = response;
        if (statusCode < 400 && !Logger.isLevelEnabled('debug')) return;
        const line = {
          method: request.method,
          path: request.path,
          status: statusCode,
          durationMs: Number(process.hrtime.bigint() - started) / 1e6,
          client: request.socket.remoteAddress,
        };
        const message = `${request.method} ${request.path} ${statusCode}`;
        if (statusCode >= 500) logger.warn(message, line);
        else if (statusCode >= 400) logger.log(message, line);
        else logger.debug(message, line);
      });
      next();
    });
  };
}
