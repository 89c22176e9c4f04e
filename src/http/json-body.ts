import {
  BadRequestException,
  PayloadTooLargeException,
  UnsupportedMediaTypeException,
} from '@nestjs/common';
import bodyParser from 'body-parser';
import type { NextFunction, Request, Response } from 'express';
import { parseJsonExact } from './exact-json.js';

const JSON_TYPES = ['application/json', 'application/*+json'];

/** A request whose JSON body is parsed, with its raw bytes (webhook signatures cover them). */
export type JsonRequest = Request & { rawBody?: Buffer; exactNumbers?: boolean };

/**
 * The one body reader of the service: a POST must carry JSON (415 otherwise), at most `limit`
 * bytes (413), and parse as an object or array (400). On `exactPath` (the webhook), numbers a
 * JavaScript number would round (64-bit cookies) are kept exactly (see exact-json.ts) and the
 * request is marked `exactNumbers`. Errors go on to the global error filter.
 */
export function jsonBody(limit: number, exactPath: string) {
  const read = bodyParser.raw({ limit, type: JSON_TYPES });
  return (request: JsonRequest, response: Response, next: NextFunction): void => {
    if (request.method !== 'POST') return next();
    if (!request.is(JSON_TYPES)) {
      return next(
        new UnsupportedMediaTypeException(
          `Content-Type must be application/json (got ${request.headers['content-type'] ?? 'none'})`,
        ),
      );
    }
    if (/;\s*charset=(?!"?utf-?8"?\s*(;|$))/i.test(request.headers['content-type'] ?? '')) {
      return next(new UnsupportedMediaTypeException('JSON bodies must be UTF-8'));
    }
    read(request, response, (error?: unknown) => {
      if ((error as { type?: unknown } | undefined)?.type === 'entity.too.large') {
        return next(
          new PayloadTooLargeException(
            `the body is larger than ${limit} bytes (INGEST_MAX_BODY_BYTES)`,
          ),
        );
      }
      if (error) return next(error);
      const raw = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      request.rawBody = raw;
      try {
        parseInto(request, raw.toString('utf8'), request.path === exactPath);
      } catch (problem) {
        return next(
          new BadRequestException(
            `the body is not a JSON object or array: ${(problem as Error).message}`,
          ),
        );
      }
      next();
    });
  };
}

function parseInto(request: JsonRequest, text: string, exact: boolean): void {
  const start = /\S/.exec(text)?.[0];
  if (start !== '{' && start !== '[') throw new SyntaxError('it must start with { or [');
  if (!exact) {
    request.body = JSON.parse(text) as unknown;
    return;
  }
  const { value, exactNumbers } = parseJsonExact(text);
  request.body = value;
  request.exactNumbers = exactNumbers;
}
