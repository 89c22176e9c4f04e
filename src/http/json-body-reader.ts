import {
  BadRequestException,
  Inject,
  Injectable,
  UnauthorizedException,
  UnsupportedMediaTypeException,
} from '@nestjs/common';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { RefusalDelay } from '../auth/refusal-delay.js';
import type { UnverifiedBody } from '../auth/unverified-body-budget.js';
import { UnverifiedBodyBudget } from '../auth/unverified-body-budget.js';
import { type PendingSignature, WebhookAuthenticator } from '../auth/webhook-authenticator.js';
import {
  ingestSettings,
  type IngestSettings,
  isWebhookRoute,
  mediaTypeOf,
  type WebhookRequest,
} from '../ingest/index.js';
import { parseJsonExact } from '../publisher/index.js';
import { BodyBudget, type BodyLease } from './body-budget.js';
import { decodeBody, decodedBytesAtMost, readRawBody } from './body-reader.js';
import { clientOf } from './rate-limiter.js';
import { RetryLaterException } from './retry-later.exception.js';

/** Most bytes of a POST body other than the webhook's: rule changes are a pattern and a description. */
const OTHER_BODY_LIMIT = 64 * 1024;
/** How long a connection whose body was left unread is still read, and discarded, after its answer. */
const LINGER_MS = 2000;
/** When a sender whose body was cut for the budget may try again: held bodies end within seconds. */
const BUDGET_RETRY_AFTER_SECONDS = 1;

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
  /** The lease each request holds on `budget`, given back with its answer. */
  private readonly leases = new WeakMap<object, BodyLease>();
  /**
   * Every body still arriving, whoever vouched for it: none was acknowledged, so shutdown cuts
   * them (their senders retry) rather than wait for a slow one.
   */
  private readonly reading = new Set<AbortController>();
  /** Longest time a body may take to arrive (INGEST_BODY_TIMEOUT_MS). */
  private readonly bodyTimeoutMs: number;

  constructor(
    private readonly authenticator: WebhookAuthenticator,
    /** Refused webhook requests wait this out before their 401. */
    private readonly refusalDelay: RefusalDelay,
    /** The bytes of bodies read before their sender is known. */
    private readonly unverified: UnverifiedBodyBudget,
    @Inject(ingestSettings.token) ingest: IngestSettings,
  ) {
    this.webhookLimit = ingest.maxBodyBytes;
    this.budget = new BodyBudget(ingest.maxBodiesBytes, BODY_BUDGET_WAIT_MS);
    this.bodyTimeoutMs = ingest.bodyTimeoutMs;
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
        if (!request.raw.complete) {
          reply.raw.setHeader('Connection', 'close');
          lingerBeforeClosing(request.raw.socket);
        }
        throw error;
      }
    });
    // A body's bytes are held until its answer is ready, which is when its work is over: a sender
    // that hangs up early closes the response long before, and its body is still being worked on.
    fastify.addHook('onSend', (request, _reply, payload, done) => {
      this.leases.get(request)?.release();
      this.leases.delete(request);
      done(null, payload);
    });
    // A body still arriving was never acknowledged: its sender retries, so shutdown need not
    // wait for a slow one.
    fastify.addHook('preClose', (done) => {
      this.unverified.cutAll('the service is shutting down');
      for (const reading of this.reading) reading.abort(retryLater('the service is shutting down'));
      done();
    });
  }

  /** Counts the request's body against the budget of unverified bytes until it is released. */
  private holdUnverified(request: WebhookRequest): { body: UnverifiedBody; cut: AbortSignal } {
    const cut = new AbortController();
    const body = this.unverified.open(clientOf(request.ip), (reason) =>
      cut.abort(retryLater(reason)),
    );
    return { body, cut: cut.signal };
  }

  /**
   * The raw body, its signature (if any) checked; a refused body is not kept while its refusal
   * waits. Its bytes count against the budget of unverified bytes until then, unless a bearer
   * token (or no authentication at all) vouched for it by the headers; a rule change's admin
   * token is checked after the body, so its body counts too.
   */
  private async readVerified(
    request: WebhookRequest,
    limit: number,
    webhook: boolean,
    signature: PendingSignature | undefined,
  ): Promise<{ raw: Buffer } | { problem: string }> {
    const held = signature || !webhook ? this.holdUnverified(request) : undefined;
    const reading = new AbortController();
    this.reading.add(reading);
    try {
      const raw = await readRawBody(request.raw, {
        limit,
        timeoutMs: this.bodyTimeoutMs,
        signal: held ? AbortSignal.any([held.cut, reading.signal]) : reading.signal,
        onChunk: (chunk) => {
          const refused = held?.body.add(chunk.length);
          if (refused) throw retryLater(refused);
          signature?.update(chunk);
        },
      });
      const problem = signature?.verify();
      return problem === undefined ? { raw } : { problem };
    } finally {
      this.reading.delete(reading);
      held?.body.release();
    }
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
    const read = await this.readVerified(request, limit, webhook, signature);
    if ('problem' in read) {
      await this.refusalDelay.hold();
      throw withoutStack(
        () => new UnauthorizedException(`webhook signature refused: ${read.problem}`),
      );
    }
    const { raw } = read;
    if (signature) {
      const pending = signature;
      // A request that did not succeed may be sent again with the same signature (a retry).
      const answer = response.raw;
      const release = () => {
        if (!answer.writableFinished || answer.statusCode >= 300) pending.release();
      };
      answer.once('close', release);
    }
    const encoding = request.headers['content-encoding'];
    // Room first, for the most the body may decode to: decoding is where a small body grows.
    if (webhook) await this.holdBudget(decodedBytesAtMost(raw, encoding, limit), request);
    const decoded = await decodeBody(raw, encoding, limit);
    this.leases.get(request)?.shrinkTo(decoded.length);
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

  /** Room for `bytes` of body until the answer is ready, or a 503 once BODY_BUDGET_WAIT_MS passed. */
  private async holdBudget(bytes: number, request: WebhookRequest): Promise<void> {
    const lease = await this.budget.acquire(bytes);
    if (!lease) {
      throw new RetryLaterException(
        `too many bytes of webhook bodies are being processed (INGEST_MAX_BODIES_BYTES, ${this.budget.ceiling}); retry later`,
        1,
      );
    }
    this.leases.set(request, lease);
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

/**
 * Node closes a connection as soon as its last answer is written; a sender still writing its body
 * then gets a reset, which can reach it before the answer and hide it. Reading on for a moment
 * (discarding what comes), as web servers' lingering close does, lets the sender read the answer.
 */
function lingerBeforeClosing(socket: Socket): void {
  socket.destroySoon = () => {
    socket.end();
    socket.once('end', () => socket.destroy());
    setTimeout(() => socket.destroy(), LINGER_MS).unref();
  };
}

/** A 503 for a body the budget of unverified bytes would not hold. */
function retryLater(reason: string): RetryLaterException {
  return withoutStack(
    () =>
      new RetryLaterException(
        `the body was not read: ${reason}; retry in ${BUDGET_RETRY_AFTER_SECONDS} s`,
        BUDGET_RETRY_AFTER_SECONDS,
      ),
  );
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
