import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { STATUS_CODES } from 'node:http';
import type { ErrorDetailDto, ErrorResponseDto } from './error-response.dto.js';
import { toHttpException } from './http-error.translation.js';
import { RetryLaterException } from './retry-later.exception.js';

/**
 * Turns every error into the one JSON error shape, domain errors through toHttpException. Errors
 * the service did not expect become a plain 500: their message and stack go to the log, never to
 * the client. An answer already under way is only ended: its headers are gone.
 */
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpError');

  catch(error: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<FastifyReply>();
    const exception = toHttpException(error) ?? error;
    const body = this.toBody(exception);
    if (response.raw.headersSent) {
      response.raw.end();
      return;
    }
    if (exception instanceof RetryLaterException) {
      void response.header('Retry-After', String(exception.retryAfterSeconds));
    }
    void response.code(body.statusCode).send(body);
  }

  private toBody(exception: unknown): ErrorResponseDto {
    if (exception instanceof HttpException) {
      const statusCode = exception.getStatus();
      const answer = exception.getResponse();
      const fields = typeof answer === 'object' ? (answer as Record<string, unknown>) : {};
      const message = typeof answer === 'string' ? answer : fields.message;
      return {
        statusCode,
        error: STATUS_CODES[statusCode] ?? 'Error',
        message: Array.isArray(message)
          ? message.join('; ')
          : typeof message === 'string'
            ? message
            : exception.message,
        ...(Array.isArray(fields.details) ? { details: fields.details as ErrorDetailDto[] } : {}),
      };
    }
    const clientError = asExposedClientError(exception);
    if (clientError) {
      return {
        statusCode: clientError.status,
        error: STATUS_CODES[clientError.status] ?? 'Error',
        message: clientError.message,
      };
    }
    this.logger.error(
      exception instanceof Error ? (exception.stack ?? exception.message) : exception,
    );
    return { statusCode: 500, error: STATUS_CODES[500] ?? 'Error', message: 'internal error' };
  }
}

/** Errors of Node packages (a stream's, say) may follow the http-errors convention. */
function asExposedClientError(error: unknown): { status: number; message: string } | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { status, expose, message } = error as Record<string, unknown>;
  if (typeof status !== 'number' || status < 400 || status > 499 || expose !== true) {
    return undefined;
  }
  return { status, message: typeof message === 'string' ? message : 'bad request' };
}
