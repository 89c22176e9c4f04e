import {
  BadRequestException,
  Inject,
  Injectable,
  UnauthorizedException,
  UnsupportedMediaTypeException,
} from '@nestjs/common';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { type PendingSignature, RefusalDelay, WebhookAuthenticator } from '../auth/index.js';
import { clientOf, RetryLaterException } from '../common/index.js';
import { parseJsonExact } from '../json/index.js';
import { BodyBudget, type BodyLease } from './body-budget.js';
import { decodeBody, decodedBytesAtMost, readRawBody } from './body-reader.js';
import { ingestSettings, type IngestSettings } from './ingest.settings.js';
import { RequestSlot } from './request-slot.js';
import { type UnverifiedBody, UnverifiedBodyBudget } from './unverified-body-budget.js';
import { declareVerifiedBody, keepVerifiedBody } from './verified-body.js';
import { mediaTypeOf } from './webhook-request.js';

/** Most bytes of a POST body other than the webhook's: rule changes are a pattern and a description. */
const OTHER_BODY_LIMIT = 64 * 1024;
/** How long a connection whose body was left unread is still read, and discarded, after its answer. */
const LINGER_MS = 2000;
/** When a sender whose body was cut for the budget may try again: held bodies end within seconds. */
const BUDGET_RETRY_AFTER_SECONDS = 1;

/** How long a webhook body waits for room under INGEST_MAX_BODIES_BYTES before its 503. */
export const BODY_BUDGET_WAIT_MS = 2000;

/** The lease a request holds on the body budget, given back with its answer. */
const lease = new RequestSlot<BodyLease>('body budget lease');

/**
 * The one body reader of the service: a POST must carry JSON (415 otherwise), within its limit
 * (413), and parse as an object or array (400). A webhook request (`readWebhook`, called by
 * WebhookGuard) is authenticated first, its body verified as it streams in and only then
 * decoded and parsed, with numbers a JavaScript number would round (64-bit cookies) kept exactly
 * (src/json). Any other POST (`readOther`, called by the HTTP edge's hook) is read as plain JSON.
 * Errors go on to the global error filter.
 *
 * Fastify's own parsing is bypassed (the HTTP edge installs a parser that reads nothing): it runs
 * before anything could authenticate, and an empty POST would skip it. So the body is still unread
 * when Nest's guards run.
 */
@Injectable()
export class RequestBodyReader {
  /** Most bytes of a webhook body, as sent and once decoded (INGEST_MAX_BODY_BYTES). */
  private readonly webhookLimit: number;
  /** The bytes of webhook bodies between their decoding and their answer (INGEST_MAX_BODIES_BYTES). */
  private readonly budget: BodyBudget;
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

  /**
   * What only Fastify's hooks can do: give a body's bytes back when its answer is ready (whoever
   * answered: the route, a pipe or the error filter), and cut the bodies still arriving when the
   * server closes.
   */
  install(fastify: FastifyInstance): void {
    lease.declare(fastify);
    declareVerifiedBody(fastify);
    // A body's bytes are held until its answer is ready, which is when its work is over: a sender
    // that hangs up early closes the response long before, and its body is still being worked on.
    fastify.addHook('onSend', (request, _reply, payload, done) => {
      const held = lease.get(request);
      if (held) {
        held.release();
        lease.set(request, undefined);
      }
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

  /**
   * A webhook request: admitted by its headers, its body read and verified, room taken for it
   * under INGEST_MAX_BODIES_BYTES, then decoded and parsed with exact numbers. The parsed body is
   * `request.body` and `verifiedBodyOf(request)`.
   */
  readWebhook(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    return this.closingOnFailure(request, reply, true);
  }

  /** Any other POST: JSON within 64 KiB, counted as unverified bytes (its token is checked after). */
  readOther(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    return this.closingOnFailure(request, reply, false);
  }

  private async closingOnFailure(
    request: FastifyRequest,
    reply: FastifyReply,
    webhook: boolean,
  ): Promise<void> {
    try {
      await this.read(request, reply, webhook);
    } catch (error) {
      // The rest of an unread body is not worth reading: the connection ends with the answer.
      if (!request.raw.complete) {
        reply.raw.setHeader('Connection', 'close');
        lingerBeforeClosing(request.raw.socket);
      }
      throw error;
    }
  }

  /** Counts the request's body against the budget of unverified bytes until it is released. */
  private holdUnverified(request: FastifyRequest): { body: UnverifiedBody; cut: AbortSignal } {
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
    request: FastifyRequest,
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
    request: FastifyRequest,
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
    lease.get(request)?.shrinkTo(decoded.length);
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
    if (webhook) keepVerifiedBody(request, request.body);
  }

  /** Room for `bytes` of body until the answer is ready, or a 503 once BODY_BUDGET_WAIT_MS passed. */
  private async holdBudget(bytes: number, request: FastifyRequest): Promise<void> {
    const granted = await this.budget.acquire(bytes);
    if (!granted) {
      throw new RetryLaterException(
        `too many bytes of webhook bodies are being processed (INGEST_MAX_BODIES_BYTES, ${this.budget.ceiling}); retry later`,
        1,
      );
    }
    lease.set(request, granted);
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
