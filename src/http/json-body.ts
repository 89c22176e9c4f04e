import {
  BadRequestException,
  UnauthorizedException,
  UnsupportedMediaTypeException,
} from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import type { RefusalDelay } from '../auth/refusal-delay.js';
import type { PendingSignature, WebhookAuthenticator } from '../auth/webhook-authenticator.js';
import { decodeBody, readRawBody } from './body-reader.js';
import { parseJsonExact } from './exact-json.js';

const JSON_TYPES = ['application/json', 'application/*+json'];

/** A POST whose JSON body is parsed; `webhook` when it came in by the webhook's path, admitted. */
export type JsonRequest = Request & { exactNumbers?: boolean; webhook?: boolean };

export interface JsonBodyOptions {
  /** The webhook's path: its requests are authenticated before their body is read. */
  webhookPath: string;
  webhookAuthenticator: WebhookAuthenticator;
  /** Refused webhook requests wait this out before their 401. */
  refusalDelay: RefusalDelay;
  /** Most bytes of a webhook body, as sent and once decoded (INGEST_MAX_BODY_BYTES). */
  webhookLimit: number;
  /** Most bytes of any other POST body (rule changes are small). */
  otherLimit: number;
}

/**
 * The one body reader of the service: a POST must carry JSON (415 otherwise), within its limit
 * (413), and parse as an object or array (400). On the webhook's path (whatever its letter case
 * or trailing slash, as the router matches them), the request is authenticated first, the body
 * is verified as it streams in and only then decoded and parsed, with numbers a JavaScript
 * number would round (64-bit cookies) kept exactly (see exact-json.ts). Errors go on to the
 * global error filter.
 */
export function jsonBody(options: JsonBodyOptions) {
  const webhookPath = routeOf(options.webhookPath);
  return (request: JsonRequest, response: Response, next: NextFunction): void => {
    if (request.method !== 'POST') return next();
    const webhook = routeOf(request.path) === webhookPath;
    read(request, response, webhook, options).then(
      () => next(),
      (error: unknown) => {
        // The rest of an unread body is not worth reading: the connection ends with the answer.
        if (!request.complete) response.setHeader('Connection', 'close');
        next(error);
      },
    );
  };
}

async function read(
  request: JsonRequest,
  response: Response,
  webhook: boolean,
  options: JsonBodyOptions,
): Promise<void> {
  let signature: PendingSignature | undefined;
  if (webhook) {
    const admission = options.webhookAuthenticator.admit(request);
    if (!admission.admitted) {
      await options.refusalDelay.hold();
      throw withoutStack(() => new UnauthorizedException(admission.reason));
    }
    signature = admission.signature;
  }
  checkContentType(request);
  const limit = webhook ? options.webhookLimit : options.otherLimit;
  const raw = await readRawBody(request, limit, signature && ((chunk) => signature.update(chunk)));
  if (signature) {
    const problem = signature.verify();
    if (problem) {
      await options.refusalDelay.hold();
      throw withoutStack(() => new UnauthorizedException(`webhook signature refused: ${problem}`));
    }
    const pending = signature;
    // A request that did not succeed may be sent again with the same signature (a retry).
    const release = () => {
      if (!response.writableFinished || response.statusCode >= 300) pending.release();
    };
    response.once('close', release);
  }
  const text = (await decodeBody(raw, request.headers['content-encoding'], limit)).toString('utf8');
  try {
    const start = /\S/.exec(text)?.[0];
    if (start !== '{' && start !== '[') throw new SyntaxError('it must start with { or [');
    if (webhook) {
      const { value, exactNumbers } = parseJsonExact(text);
      request.body = value;
      request.exactNumbers = exactNumbers;
    } else {
      request.body = JSON.parse(text) as unknown;
    }
  } catch (problem) {
    throw new BadRequestException(
      `the body is not a JSON object or array: ${(problem as Error).message}`,
    );
  }
  request.webhook = webhook;
}

function checkContentType(request: Request): void {
  if (!request.is(JSON_TYPES)) {
    throw new UnsupportedMediaTypeException(
      `Content-Type must be application/json (got ${request.headers['content-type'] ?? 'none'})`,
    );
  }
  if (/;\s*charset=(?!"?utf-?8"?\s*(;|$))/i.test(request.headers['content-type'] ?? '')) {
    throw new UnsupportedMediaTypeException('JSON bodies must be UTF-8');
  }
}

/**
 * Anyone can make the service refuse thousands of requests a second, and capturing the stack
 * of each refusal's exception was the largest single cost of one: its stack is of no use.
 */
function withoutStack<T>(create: () => T): T {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return create();
  } finally {
    Error.stackTraceLimit = limit;
  }
}

/** A path as the router matches it: letter case and trailing slashes do not matter. */
function routeOf(path: string): string {
  return path.toLowerCase().replace(/\/+$/, '');
}
