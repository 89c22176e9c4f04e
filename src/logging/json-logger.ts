import { ConsoleLogger, LogLevel } from '@nestjs/common';
import { currentRequestId } from './request-context.js';

type JsonLogOptions = Parameters<ConsoleLogger['getJsonLogObject']>[1];

/** Nest's JSON console logger, one line per record, with the current request's id when there is one. */
export class JsonLogger extends ConsoleLogger {
  constructor(logLevels: LogLevel[]) {
    super({ json: true, logLevels, flattenParams: true });
  }

  protected override getJsonLogObject(
    message: unknown,
    options: JsonLogOptions,
  ): ReturnType<ConsoleLogger['getJsonLogObject']> {
    const record = super.getJsonLogObject(message, options);
    const requestId = currentRequestId();
    return requestId ? { ...record, requestId } : record;
  }
}
