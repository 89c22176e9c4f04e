import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type ExecutionContext, UnauthorizedException } from '@nestjs/common';
import { WebhookAdmittedGuard } from './webhook-admitted.guard.js';

function contextOf(request: object): ExecutionContext {
  return { switchToHttp: () => ({ getRequest: () => request }) } as unknown as ExecutionContext;
}

describe('WebhookAdmittedGuard', () => {
  it('lets through a request the HTTP edge admitted, and no other', () => {
    const guard = new WebhookAdmittedGuard();
    assert.equal(guard.canActivate(contextOf({ webhook: true })), true);
    for (const request of [{}, { webhook: false }, { webhook: 'true' }]) {
      assert.throws(() => guard.canActivate(contextOf(request)), UnauthorizedException);
    }
  });
});
