import {
  BadRequestException,
  Inject,
  Injectable,
  UnauthorizedException,
  UnsupportedMediaTypeException,
} from '@nestjs/common';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { IncomingMessage } from 'node:http';
import { RefusalDelay } from '../auth/refusal-delay.js';
import { type PendingSignature, WebhookAuthenticator } from '../auth/webhook-authenticator.js';
import {
  ingestSettings,
  type IngestSettings,
  isWebhookRoute,
  mediaTypeOf,
  type WebhookRequest,
} from '../ingest/index.js';
import { parseJsonExact } from '../publisher/index.js';
import { BodyBudget } from './body-budget.js';
import { decodeBody, readRawBody } from './body-reader.js';
import { RetryLaterException } from './retry-later.exception.js';

/** Most bytes of a POST body other than the webhook's: rule changes are a pattern and a description. */
const OTHER_BODY_LIMIT = 64 * 1024;

/** How long a webhook body waits for room under INGEST_MAX_BODIES_BYTES before its 503. */
export const BODY_BUDGET_WAIT_MS = 2000;

/**
 * The one body reader of the service: a POST must carry JSON (415 otherwise), within its limit
 * (413), and parse as an object or array (400). On the webhook's route (WEBHOOK_ROUTE), the
 * request is authenticated first, the body is verified as it streams in and only then decoded
 * and parsed, with numbers a JavaScript number would round (64-bit cookies) kept exactly (see
 * exact-json.ts). Errors go on to the global error filter.
 *
 * Fastify's own parsing is bypassed (a parser that reads nothing): it runs before the route's
 * hooks could authenticate, and an empty POST would skip it. The reading happens in a
 * preValidation hook instead, which sees the reply too, and runs before Nest's guards and pipes.
 */
@Injectable()
export class JsonBodyReader {
  /** Most bytes of a webhook body, as sent and once decoded (INGEST_MAX_BODY_BYTES). */
  private readonly webhookLimit: number;
  /** The bytes of webhook bodies between their decoding and their answer (INGEST_MAX_BODIES_BYTES). */
  private readonly budget: BodyBudget;

  constructor(
    private readonly authenticator: WebhookAuthenticator,
    /** Refused webhook requests wait this out before their 401. */
    private readonly refusalDelay: RefusalDelay,
    @Inject(ingestSettings.token) ingest: IngestSettings,
  ) {
    this.webhookLimit = ingest.maxBodyBytes;
    this.budget = new BodyBudget(ingest.maxBodiesBytes, BODY_BUDGET_WAIT_MS);
  }

  install(fastify: FastifyInstance): void {
    fastify.decorateRequest('webhook', false);
    fastify.removeAllContentTypeParsers();
    fastify.addContentTypeParser('*', (_request, _payload, done) => done(null, undefined));
    fastify.addHook('preValidation', async (request: WebhookRequest, reply: FastifyReply) => {
      if (request.method !== 'POST') return;
      try {
        await this.read(request, reply, isWebhookRoute(request));
      } catch (error) {
        // The rest of an unread body is not worth reading: the connection ends with the answer.
        if (!request.raw.complete) reply.raw.setHeader('Connection', 'close');
        throw error;
      }
    });
  }

  private async read(
    request: WebhookRequest,
    response: FastifyReply,
    webhook: boolean,
  ): Promise<void> {
    let signature: PendingSignature | undefined;
    if (webhook) {
      const admission = this.authenticator.admit(request.raw);
      if (!admission.admitted) {
        await this.refusalDelay.hold();
        throw withoutStack(() => new UnauthorizedException(admission.reason));
      }
      signature = admission.signature;
    }
    checkContentType(request.raw);
    const limit = webhook ? this.webhookLimit : OTHER_BODY_LIMIT;
    const raw = await readRawBody(
      request.raw,
      limit,
      signature && ((chunk) => signature.update(chunk)),
    );
    if (signature) {
      const problem = signature.verify();
      if (problem) {
        await this.refusalDelay.hold();
        throw withoutStack(
          () => new UnauthorizedException(`webhook signature refused: ${problem}`),
        );
      }
      const pending = signature;
      // A request that did not succeed may be sent again with the same signature (a retry).
      const answer = response.raw;
      const release = () => {
        if (!answer.writableFinished || answer.statusCode >= 300) pending.release();
      };
      answer.once('close', release);
    }
    const decoded = await decodeBody(raw, request.headers['content-encoding'], limit);
    if (webhook) await this.holdBudget(decoded.length, response);
    try {
      const start = decoded[firstNonBlank(decoded)];
      if (start !== OPEN_BRACE && start !== OPEN_BRACKET)
        throw new SyntaxError('it must start with { or [');
      request.body = webhook
        ? (await parseJsonExact(decoded)).value
        : (JSON.parse(decoded.toString('utf8')) as unknown);
    } catch (problem) {
      throw new BadRequestException(
        `the body is not a JSON object or array: ${(problem as Error).message}`,
      );
    }
    request.webhook = webhook;
  }

  /** Room for `bytes` of body until the answer is sent, or a 503 once BODY_BUDGET_WAIT_MS passed. */
  private async holdBudget(bytes: number, response: FastifyReply): Promise<void> {
    const lease = await this.budget.acquire(bytes);
    if (!lease) {
      throw new RetryLaterException(
        `too many bytes of webhook bodies are being processed (INGEST_MAX_BODIES_BYTES, ${this.budget.ceiling}); retry later`,
        1,
      );
    }
    response.raw.once('close', () => lease.release());
  }
}

const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;

/** Where the first byte that is not JSON whitespace stands. */
function firstNonBlank(bytes: Buffer): number {
  let at = 0;
  while (at < bytes.length && [0x20, 0x09, 0x0a, 0x0d].includes(bytes[at])) at++;
  return at;
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
