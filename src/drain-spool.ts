import 'reflect-metadata';
import { ConsoleLogger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { nestLogLevels } from './app.factory.js';
import { loadAppConfig } from './app.settings.js';
import { ConfigError } from './config/settings-group.js';
import { DrainSpoolModule } from './drain-spool.module.js';
import { Delivery } from './publisher/index.js';
import { SpoolDelivery } from './publisher/spool/spool-delivery.js';

/**
 * `node dist/src/drain-spool.js`: forwards the spool folder of a service that is gone for good
 * (a volume left by a scale-down) to Kafka with the service's own forwarder, and exits: 0 once
 * the spool is empty, 1 when SPOOL_DRAIN_TIMEOUT_MS passed first. Same environment as the
 * service. The spool has no lock: the service that wrote it must not run meanwhile.
 */
async function main(): Promise<number> {
  const config = loadAppConfig(process.env);
  if (config.delivery.mode !== 'spool') {
    throw new ConfigError([
      `DELIVERY_MODE=${config.delivery.mode}: the drain command forwards a spool, set DELIVERY_MODE=spool`,
    ]);
  }
  const app = await NestFactory.createApplicationContext(DrainSpoolModule.forRoot(config), {
    abortOnError: false,
    logger: new ConsoleLogger({
      json: config.logging.format === 'json',
      logLevels: nestLogLevels(config.logging.level),
    }),
  });
  const delivery = app.get(Delivery);
  if (!(delivery instanceof SpoolDelivery)) throw new Error('the spool delivery was not built');
  const timeoutMs = config.delivery.spoolDrainTimeoutMs;
  const outcome = await delivery.drain(timeoutMs);
  await app.close();
  const spoolDir = config.delivery.spoolDir;
  process.stdout.write(`${JSON.stringify({ spoolDir, ...outcome })}\n`);
  if (outcome.setAsideFile.bytes > 0) {
    process.stderr.write(
      `drain-spool: ${outcome.setAsideFile.path} holds ${outcome.setAsideFile.bytes} bytes of events Kafka refused for good; copy it before the volume is deleted\n`,
    );
  }
  if (outcome.empty) return 0;
  process.stderr.write(
    `drain-spool: events are still in SPOOL_DIR=${spoolDir} after SPOOL_DRAIN_TIMEOUT_MS=${timeoutMs} (is Kafka at ${config.kafka.brokers.join(',')} reachable?); run it again\n`,
  );
  return 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    const message =
      error instanceof ConfigError
        ? error.message
        : error instanceof Error
          ? (error.stack ?? error.message)
          : String(error);
    process.stderr.write(`drain-spool could not run: ${message}\n`);
    process.exit(2);
  },
);
