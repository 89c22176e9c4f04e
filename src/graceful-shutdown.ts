import { INestApplication, Logger } from '@nestjs/common';

/**
 * On SIGTERM/SIGINT: stop taking connections, let in-flight requests finish (each still waits for
 * its Kafka acknowledgement), then close the producer. Nest's close does it in that order: the
 * HTTP server first, the Kafka client in the shutdown hooks after it.
 */
export function closeOnSignals(app: INestApplication, timeoutMs: number): void {
  const logger = new Logger('Shutdown');
  let closing = false;
  const close = (signal: NodeJS.Signals): void => {
    if (closing) return;
    closing = true;
    logger.log(`${signal}: no new requests; finishing the ones in flight`);
    const timer = setTimeout(() => {
      logger.error(`shutdown took longer than SHUTDOWN_TIMEOUT_MS=${timeoutMs}; exiting`);
      process.exit(1);
    }, timeoutMs);
    timer.unref();
    app.close().then(
      () => {
        logger.log('stopped cleanly');
        process.exit(0);
      },
      (error: unknown) => {
        logger.error(`shutdown failed: ${String(error)}`);
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', close);
  process.once('SIGINT', close);
}
