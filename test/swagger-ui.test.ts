import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { launchChromium } from './support/browser.js';
import { repoRoot } from './support/repo-root.js';
import { FILTERS_PATH, RunningService, send, startService } from './support/service.js';

const adminToken = 'admin-token-for-the-browser-0123456789';

describe('Swagger UI and the AsyncAPI page in a real headless browser', () => {
  let service: RunningService;
  let browser: Browser;
  before(async () => {
    service = await startService({
      AUTH_DISABLED: 'false',
      AUTH_WEBHOOK_TOKEN: 'webhook-token-for-the-browser-0123',
      AUTH_ADMIN_TOKEN: adminToken,
      FILTER_STORE: 'memory',
      KAFKA_BROKERS: '127.0.0.1:1',
      KAFKA_TOPIC: 'kytos.events.served',
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

  it('serves the AsyncAPI document with the topic this instance writes', async () => {
    const answer = await send(`${service.url}/api/asyncapi.json`, 'GET');
    assert.equal(answer.status, 200);
    const document = answer.body as { asyncapi: string; channels: { events: { address: string } } };
    assert.equal(document.asyncapi, '3.0.0');
    assert.equal(document.channels.events.address, 'kytos.events.served');
  });

  it('renders it in Chromium, reached from Swagger UI', async () => {
    const docs = await browser.newPage();
    await docs.goto(`${service.url}/api/docs`, { waitUntil: 'load', timeout: 30_000 });
    const link = docs.getByRole('link', { name: 'the AsyncAPI contract' });
    const href = await link.getAttribute('href', { timeout: 30_000 });
    assert.equal(href, '/api/asyncapi');

    // A page of its own: leaving Swagger UI's would cancel what it still loads (its favicon).
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const failed: string[] = [];
    const errors: string[] = [];
    page.on('requestfailed', (request) => failed.push(request.url()));
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(new URL(href, service.url).href, { waitUntil: 'load', timeout: 30_000 });

    await page.getByRole('heading', { name: 'Operations' }).waitFor({ timeout: 30_000 });
    const text = await page.locator('#asyncapi').innerText();
    for (const shown of [
      'kafka-events: the records it writes',
      'kytos.events.served',
      'topologyLink',
      'mefElineCircuit',
      'flowManagerFlow',
    ]) {
      assert.ok(text.includes(shown), `the page shows ${shown}`);
    }
    const screenshot = join(repoRoot, 'dist', 'asyncapi-page.png');
    await page.screenshot({ path: screenshot, fullPage: false });
    assert.ok(statSync(screenshot).size > 20_000, 'the screenshot holds a rendered page');
    assert.deepEqual(failed, []);
    assert.deepEqual(errors, []);
  });
});
