import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ArgumentsHost } from '@nestjs/common';
import { BadRequestException, ConsoleLogger, Logger, NotFoundException } from '@nestjs/common';
import { HttpErrorFilter } from './http-error.filter.js';
import { RetryLaterException } from '../common/index.js';

/** A minimal Fastify reply that remembers what was sent. */
function respond(
  exception: unknown,
  requestId?: string,
): {
  status: number;
  body: unknown;
  headers: Record<string, string>;
} {
  const sent = { status: 0, body: undefined as unknown, headers: {} as Record<string, string> };
  const response = {
    raw: { headersSent: false, getHeader: () => requestId },
    header(name: string, value: string) {
      sent.headers[name] = value;
      return this;
    },
    code(code: number) {
      sent.status = code;
      return this;
    },
    send(body: unknown) {
      sent.body = body;
      return this;
    },
  };
  const host = {
    switchToHttp: () => ({ getResponse: () => response }),
  } as unknown as ArgumentsHost;
  new HttpErrorFilter().catch(exception, host);
  return sent;
}

describe('HttpErrorFilter', () => {
  it('gives every HTTP error the one shape, with details when there are some', () => {
    assert.deepEqual(respond(new NotFoundException('no rule with id x')).body, {
      statusCode: 404,
      error: 'Not Found',
      message: 'no rule with id x',
    });
    const details = [{ index: 2, field: 'name', reason: 'must not be empty' }];
    assert.deepEqual(
      respond(new BadRequestException({ message: 'event 2 is invalid', details })).body,
      {
        statusCode: 400,
        error: 'Bad Request',
        message: 'event 2 is invalid',
        details,
      },
    );
  });

  it('tells a 503 sender when to retry', () => {
    const sent = respond(new RetryLaterException('Kafka is unavailable', 5));
    assert.equal(sent.status, 503);
    assert.equal(sent.headers['Retry-After'], '5');
  });

  it('keeps the status of an exposed middleware error', () => {
    const aborted = Object.assign(new Error('request aborted'), { status: 400, expose: true });
    assert.deepEqual(respond(aborted).body, {
      statusCode: 400,
      error: 'Bad Request',
      message: 'request aborted',
    });
  });

  it("keeps the status and message of Fastify's own client errors, in the one shape", () => {
    const badUrl = Object.assign(new Error("'/%' is not a valid url component"), {
      code: 'FST_ERR_BAD_URL',
      statusCode: 400,
    });
    assert.deepEqual(respond(badUrl), {
      status: 400,
      headers: {},
      body: { statusCode: 400, error: 'Bad Request', message: "'/%' is not a valid url component" },
    });
  });

  it('hides what an unexpected error says: a plain 500', () => {
    const sent = respond(new Error('ENOENT: /secret/path/config.json'));
    assert.equal(sent.status, 500);
    assert.deepEqual(sent.body, {
      statusCode: 500,
      error: 'Internal Server Error',
      message: 'internal error',
    });
  });

  it("logs an unexpected error's stack with the id its request was answered with", () => {
    const lines: string[] = [];
    const write = process.stderr.write;
    Logger.overrideLogger(new ConsoleLogger({ json: true, flattenParams: true }));
    process.stderr.write = (line: string | Uint8Array) => lines.push(String(line)) > 0;
    try {
      respond(new Error('ENOENT: /secret/path/config.json'), 'kytos-req-7');
    } finally {
      process.stderr.write = write;
      Logger.overrideLogger(new ConsoleLogger());
    }
    assert.equal(lines.length, 1);
    const record = JSON.parse(lines[0] ?? '') as Record<string, unknown>;
    assert.equal(record.level, 'error');
    assert.equal(record.requestId, 'kytos-req-7');
    assert.match(String(record.message), /ENOENT: \/secret\/path\/config\.json\n\s+at /);
  });
});

describe('HttpErrorFilter with an answer already under way', () => {
  it('only ends it, setting no status nor header', () => {
    const calls: string[] = [];
    const response = {
      raw: { headersSent: true, end: () => calls.push('end') },
      header: () => calls.push('header'),
      code: () => calls.push('code'),
      send: () => calls.push('send'),
    };
    const host = {
      switchToHttp: () => ({ getResponse: () => response }),
    } as unknown as ArgumentsHost;
    new HttpErrorFilter().catch(new RetryLaterException('late', 5), host);
    assert.deepEqual(calls, ['end']);
  });
});
