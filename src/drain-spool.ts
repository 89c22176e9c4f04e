import 'reflect-metadata';
import { existsSync } from 'node:fs';
import { ConsoleLogger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { nestLogLevels } from './app.factory.js';
import { loadAppConfig } from './app.settings.js';
import { ConfigError } from './config/index.js';
import { DrainSpoolModule } from './drain-spool.module.js';
import { Delivery, SpoolDelivery } from './publisher/index.js';

/**
 * `node dist/src/drain-spool.js`: forwards the spool folder of a service that is gone for good
 * (a volume left by a scale-down) to Kafka with the service's own forwarder, and exits: 0 once
 * the spool is empty and every event reached Kafka, 1 when SPOOL_DRAIN_TIMEOUT_MS passed first,
 * damaged bytes were skipped or rejected.spool holds events (the operator must look before the
 * volume goes), 2 when it cannot run (settings, no SPOOL_DIR). Same environment as the service.
 * The spool has no lock: the service that wrote it must not run meanwhile.
 */
async function main(): Promise<number> {
  const config = loadAppConfig(process.env);
  if (config.delivery.mode !== 'spool') {
    throw new ConfigError([
      `DELIVERY_MODE=${config.delivery.mode}: the drain command forwards a spool, set DELIVERY_MODE=spool`,
    ]);
  }
  if (!existsSync(config.delivery.spoolDir)) {
    // The service would make an empty one; here that would report a spool drained that was
    // never there (a claim mounted elsewhere, SPOOL_DIR unset).
    throw new ConfigError([
      `SPOOL_DIR=${config.delivery.spoolDir} does not exist: nothing to drain there (is the volume mounted at that path?)`,
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
  let code = 0;
  if (outcome.damaged > 0) {
    process.stderr.write(
      `drain-spool: ${outcome.damaged} damaged stretch(es) of the spool were skipped, their events not published (the log names the bytes)\n`,
    );
    code = 1;
  }
  if (outcome.setAsideFile.bytes > 0) {
    process.stderr.write(
      `drain-spool: ${outcome.setAsideFile.path} holds ${outcome.setAsideFile.bytes} bytes of events Kafka refused for good; copy it before the volume is deleted\n`,
    );
    code = 1;
  }
  if (!outcome.empty) {
    process.stderr.write(
      `drain-spool: events are still in SPOOL_DIR=${spoolDir} after SPOOL_DRAIN_TIMEOUT_MS=${timeoutMs} (is Kafka at ${config.kafka.brokers.join(',')} reachable?); run it again\n`,
    );
    code = 1;
  }
  return code;
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
