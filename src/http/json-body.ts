import {
  BadRequestException,
  PayloadTooLargeException,
  UnsupportedMediaTypeException,
} from '@nestjs/common';
import bodyParser from 'body-parser';
import type { NextFunction, Request, Response } from 'express';

const JSON_TYPES = ['application/json', 'application/*+json'];

/**
 * The one body reader of the service: a POST must carry JSON (415 otherwise), at most `limit`
 * bytes (413), and parse (400). Errors go on to the global error filter.
 */
export function jsonBody(limit: number) {
  const parse = bodyParser.json({
    limit,
    type: JSON_TYPES,
    // The raw bytes stay with the request: webhook signatures are computed over them.
    verify: (request, _response, raw) => {
      (request as Request & { rawBody?: Buffer }).rawBody = raw;
    },
  });
  return (request: Request, response: Response, next: NextFunction): void => {
    if (request.method !== 'POST') return next();
    if (!request.is(JSON_TYPES)) {
      return next(
        new UnsupportedMediaTypeException(
          `Content-Type must be application/json (got ${request.headers['content-type'] ?? 'none'})`,
        ),
      );
    }
    parse(request, response, (error?: unknown) => {
      const { type, message } = (error ?? {}) as { type?: unknown; message?: unknown };
      if (type === 'entity.parse.failed') {
        return next(
          new BadRequestException(`the body is not a JSON object or array: ${String(message)}`),
        );
      }
      if (type === 'entity.too.large') {
        return next(
          new PayloadTooLargeException(
            `the body is larger than ${limit} bytes (INGEST_MAX_BODY_BYTES)`,
          ),
        );
      }
      next(error);
    });
  };
}
