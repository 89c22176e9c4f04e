import { Injectable, NestMiddleware, UnsupportedMediaTypeException } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';

/** A POST must carry JSON: anything else is 415 before it reaches a controller. */
@Injectable()
export class JsonBodyMiddleware implements NestMiddleware {
  use(request: Request, _response: Response, next: NextFunction): void {
    if (request.method === 'POST' && !request.is(['application/json', 'application/*+json'])) {
      throw new UnsupportedMediaTypeException(
        `Content-Type must be application/json (got ${request.headers['content-type'] ?? 'none'})`,
      );
    }
    next();
  }
}
