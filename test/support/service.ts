import type { INestApplication } from '@nestjs/common';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../../src/app.factory.js';
import { loadAppConfig } from '../../src/app.settings.js';

export interface RunningService {
  url: string;
  app: INestApplication;
  close(): Promise<void>;
}

/**
 * The whole service, in this process, on a free loopback port; by default it returns once the
 * service is ready (its rules loaded), which needs Kafka when FILTER_STORE is kafka.
 */
export async function startService(
  env: Record<string, string>,
  options: { waitUntilReady?: boolean } = {},
): Promise<RunningService> {
  const config = loadAppConfig({
    LOG_LEVEL: 'error',
    AUTH_DISABLED: 'true',
    ...env,
    HOST: '127.0.0.1',
    PORT: '0',
  });
  const app = await createApp(config);
  await app.listen(0, '127.0.0.1');
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  if (options.waitUntilReady ?? true) {
    await waitUntilReady(url).catch(async (error: unknown) => {
      await app.close();
      throw error;
    });
  }
  return { url, app, close: () => app.close() };
}

/** Polls the readiness probe, at most `timeoutMs`. */
export async function waitUntilReady(url: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if ((await fetch(`${url}/health/ready`)).status === 200) return;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) throw new Error(`${url} was not ready within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export const EVENTS_PATH = '/api/kytos/kafka_events/v1/events';
export const FILTERS_PATH = '/api/kytos/kafka_events/v1/filters';

export interface Answer {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
}

export async function postJson(
  url: string,
  body: unknown,
  contentType = 'application/json',
): Promise<Answer> {
  return send(url, 'POST', typeof body === 'string' ? body : JSON.stringify(body), contentType);
}

export async function send(
  url: string,
  method: string,
  body?: string | Buffer,
  contentType?: string,
  headers: Record<string, string> = {},
): Promise<Answer> {
  const response = await fetch(url, {
    method,
    body,
    headers: contentType ? { 'content-type': contentType, ...headers } : headers,
    signal: AbortSignal.timeout(60_000),
  });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
  };
}

/** The service in one delivery mode; its spool is a fresh folder, removed by close(). */
export async function startServiceIn(
  mode: 'kafka' | 'spool',
  env: Record<string, string>,
): Promise<RunningService> {
  const spoolDir = mkdtempSync(join(tmpdir(), 'kafka-events-spool-'));
  const removeSpool = () => rmSync(spoolDir, { recursive: true, force: true });
  try {
    const service = await startService({ ...env, DELIVERY_MODE: mode, SPOOL_DIR: spoolDir });
    return {
      ...service,
      close: async () => {
        await service.close();
        removeSpool();
      },
    };
  } catch (error) {
    removeSpool();
    throw error;
  }
}
