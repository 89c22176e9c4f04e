import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ExecutionContext } from '@nestjs/common';
import type { RequestBodyReader } from './request-body-reader.js';
import { WEBHOOK_ROUTE } from './webhook-request.js';
import { WebhookGuard } from './webhook.guard.js';

function contextOf(request: object, reply: object): ExecutionContext {
  return {
    switchToHttp: () => ({ getRequest: () => request, getResponse: () => reply }),
  } as unknown as ExecutionContext;
}

/** A reader that answers as told: a refusal (thrown) or a body read. */
function readerThat(outcome: Error | undefined, seen: object[]): RequestBodyReader {
  return {
    readWebhook: (request: object) => {
      seen.push(request);
      return outcome ? Promise.reject(outcome) : Promise.resolve();
    },
  } as unknown as RequestBodyReader;
}

describe('WebhookGuard', () => {
  const webhookRequest = { routeOptions: { config: WEBHOOK_ROUTE } };

  it('lets the request through once the reader read its body, and refuses what it refuses', async () => {
    const seen: object[] = [];
    const guard = new WebhookGuard(readerThat(undefined, seen));
    assert.equal(await guard.canActivate(contextOf(webhookRequest, {})), true);
    assert.deepEqual(seen, [webhookRequest]);
    const refusal = new Error('401');
    const refusing = new WebhookGuard(readerThat(refusal, []));
    await assert.rejects(refusing.canActivate(contextOf(webhookRequest, {})), refusal);
  });

  it('refuses to guard a route the HTTP edge would read as any other POST', async () => {
    const seen: object[] = [];
    const guard = new WebhookGuard(readerThat(undefined, seen));
    await assert.rejects(
      guard.canActivate(contextOf({ routeOptions: { config: {} } }, {})),
      /without @RouteConfig\(WEBHOOK_ROUTE\)/,
    );
    assert.deepEqual(seen, [], 'no body was read');
  });
});
