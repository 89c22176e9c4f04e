import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { createApp } from './app.factory.js';
import { loadAppConfig } from './app.settings.js';
import { ConfigError } from './config/index.js';
import { closeOnSignals } from './graceful-shutdown.js';

async function main(): Promise<void> {
  const config = loadAppConfig(process.env);
  const app = await createApp(config);
  await app.listen(config.http.port, config.http.host);
  closeOnSignals(app, config.http.shutdownTimeoutMs);
  if (config.auth.disabled) {
    new Logger('Auth').warn(
      'AUTH_DISABLED=true: NO AUTHENTICATION. Anyone who can reach this port can inject events and change the rules. Local use only.',
    );
  }
  new Logger('Main').log(
    `listening on ${await app.getUrl()}; publishing to topic ${config.kafka.topic} at ${config.kafka.brokers.join(',')}`,
  );
}

main().catch((error: unknown) => {
  // A bad setting is the operator's to fix: say which, without a stack trace.
  const message =
    error instanceof ConfigError
      ? error.message
      : error instanceof Error
        ? (error.stack ?? error.message)
        : String(error);
  process.stderr.write(`kafka-events could not start: ${message}\n`);
  process.exit(1);
});
