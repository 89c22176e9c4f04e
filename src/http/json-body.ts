import {
  BadRequestException,
  UnauthorizedException,
  UnsupportedMediaTypeException,
} from '@nestjs/common';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { IncomingMessage } from 'node:http';
import type { RefusalDelay } from '../auth/refusal-delay.js';
import type { PendingSignature, WebhookAuthenticator } from '../auth/webhook-authenticator.js';
import { decodeBody, readRawBody } from './body-reader.js';
import { parseJsonExact } from './exact-json.js';

/** A POST whose JSON body is parsed; `webhook` when it came in by the webhook's route, admitted. */
export type JsonRequest = FastifyRequest & { exactNumbers?: boolean; webhook?: boolean };

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
 * (413), and parse as an object or array (400). On the webhook's route (whatever letter case or
 * trailing slash the router matched it by), the request is authenticated first, the body is
 * verified as it streams in and only then decoded and parsed, with numbers a JavaScript number
 * would round (64-bit cookies) kept exactly (see exact-json.ts). Errors go on to the global
 * error filter.
 *
 * Fastify's own parsing is bypassed (a parser that reads nothing): it runs before the route's
 * hooks could authenticate, and an empty POST would skip it. The reading happens in a
 * preValidation hook instead, which sees the reply too, and runs before Nest's guards and pipes.
 */
export function useJsonBody(fastify: FastifyInstance, options: JsonBodyOptions): void {
  const webhookRoute = routeOf(options.webhookPath);
  fastify.decorateRequest('webhook', false);
  fastify.decorateRequest('exactNumbers', false);
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('*', (_request, _payload, done) => done(null, undefined));
  fastify.addHook('preValidation', async (request: JsonRequest, reply: FastifyReply) => {
    if (request.method !== 'POST') return;
    const webhook = routeOf(request.routeOptions.url ?? '') === webhookRoute;
    try {
      await read(request, reply, webhook, options);
    } catch (error) {
      // The rest of an unread body is not worth reading: the connection ends with the answer.
      if (!request.raw.complete) reply.raw.setHeader('Connection', 'close');
      throw error;
    }
  });
}

async function read(
  request: JsonRequest,
  response: FastifyReply,
  webhook: boolean,
  options: JsonBodyOptions,
): Promise<void> {
  let signature: PendingSignature | undefined;
  if (webhook) {
    const admission = options.webhookAuthenticator.admit(request.raw);
    if (!admission.admitted) {
      await options.refusalDelay.hold();
      throw withoutStack(() => new UnauthorizedException(admission.reason));
    }
    signature = admission.signature;
  }
  checkContentType(request.raw);
  const limit = webhook ? options.webhookLimit : options.otherLimit;
  const raw = await readRawBody(
    request.raw,
    limit,
    signature && ((chunk) => signature.update(chunk)),
  );
  if (signature) {
    const problem = signature.verify();
    if (problem) {
      await options.refusalDelay.hold();
      throw withoutStack(() => new UnauthorizedException(`webhook signature refused: ${problem}`));
    }
    const pending = signature;
    // A request that did not succeed may be sent again with the same signature (a retry).
    const answer = response.raw;
    const release = () => {
      if (!answer.writableFinished || answer.statusCode >= 300) pending.release();
    };
    answer.once('close', release);
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

function checkContentType(request: IncomingMessage): void {
  if (!isJson(request.headers['content-type'])) {
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

/** application/json or any application/<something>+json, parameters aside (as Express' is()). */
function isJson(contentType: string | undefined): boolean {
  const type = mediaTypeOf(contentType);
  return type === 'application/json' || /^application\/[^/\s]+\+json$/.test(type);
}

/** A Content-Type without its parameters, in lower case ('' when there is none). */
export function mediaTypeOf(contentType: string | undefined): string {
  return (contentType ?? '').split(';', 1)[0]?.trim().toLowerCase() ?? '';
}

/** A path as the router matches it: letter case and trailing slashes do not matter. */
function routeOf(path: string): string {
  return path.toLowerCase().replace(/\/+$/, '');
}
