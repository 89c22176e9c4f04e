import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { launchChromium } from './support/browser.js';
import { FILTERS_PATH, RunningService, send, startService } from './support/service.js';

const adminToken = 'admin-token-for-the-browser-0123456789';

describe('Swagger UI in a real headless browser', () => {
  let service: RunningService;
  let browser: Browser;
  before(async () => {
    service = await startService({
      AUTH_DISABLED: 'false',
      AUTH_WEBHOOK_TOKEN: 'webhook-token-for-the-browser-0123',
      AUTH_ADMIN_TOKEN: adminToken,
      FILTER_STORE: 'memory',
      KAFKA_BROKERS: '127.0.0.1:1',
      READY_REQUIRES_KAFKA: 'false',
    });
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await service?.close();
  });

  it('lists the filter endpoints, and adds a rule through Authorize and "Try it out"', async () => {
    const page = await browser.newPage();
    const failedRequests: string[] = [];
    page.on('requestfailed', (request) => failedRequests.push(request.url()));
    await page.goto(`${service.url}/api/docs`, { waitUntil: 'load', timeout: 30_000 });

    const operations = page.locator('.opblock-summary');
    await operations.first().waitFor({ timeout: 30_000 });
    const listed = await page.locator('.opblock-summary-path').allInnerTexts();
    const filterPaths = listed.map((text) => text.replace(/\u200b/g, '').trim());
    for (const path of [FILTERS_PATH, `${FILTERS_PATH}/dry-run`, `${FILTERS_PATH}/{id}`]) {
      assert.ok(
        filterPaths.includes(path),
        `${path} is listed (listed: ${filterPaths.join(', ')})`,
      );
    }

    // Authorize with the admin token, as an operator would.
    await page
      .getByRole('button', { name: /authorize/i })
      .first()
      .click();
    const adminForm = page.locator('.modal-ux form').filter({ hasText: 'admin-token' });
    await adminForm.locator('input[type="text"], input[type="password"]').fill(adminToken);
    await adminForm.locator('button.modal-btn.authorize').click();
    await adminForm.locator('button.btn-done').click();

    const create = page
      .locator('.opblock-post')
      .filter({ hasText: FILTERS_PATH })
      .filter({
        hasNotText: `${FILTERS_PATH}/`,
      });
    await create.locator('.opblock-summary').click();
    await create.getByRole('button', { name: /try it out/i }).click();
    const rule = {
      pattern: 'kytos/of_lldp\\.',
      description: 'added in the browser',
      action: 'deny',
    };
    await create.locator('textarea.body-param__text').fill(JSON.stringify(rule));
    await create.getByRole('button', { name: /execute/i }).click();
    const status = create.locator('.live-responses-table .response .response-col_status').first();
    await status.waitFor({ timeout: 30_000 });
    assert.equal((await status.innerText()).trim(), '201');

    // Checked through the API, not through the page.
    const rules = await send(service.url + FILTERS_PATH, 'GET');
    const added = Object.values(rules.body).find(
      (value) => (value as { pattern?: string }).pattern === rule.pattern,
    ) as { action?: string; description?: string } | undefined;
    assert.equal(added?.action, 'deny');
    assert.equal(added?.description, 'added in the browser');
    assert.deepEqual(failedRequests, []);
  });
});
