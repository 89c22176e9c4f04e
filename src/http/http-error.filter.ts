import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { STATUS_CODES } from 'node:http';
import type { ErrorDetailDto, ErrorResponseDto } from './error-response.dto.js';
import { answeredRequestId } from '../logging/index.js';
import { toHttpException } from './http-error.translation.js';
import { RetryLaterException } from '../common/index.js';

/**
 * Turns every error into the one JSON error shape, domain errors through toHttpException. Errors
 * the service did not expect become a plain 500: their message and stack go to the log, never to
 * the client. An answer already under way is only ended: its headers are gone.
 */
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpError');

  catch(error: unknown, host: ArgumentsHost): void {
    this.answer(error, host.switchToHttp().getResponse<FastifyReply>());
  }

  /** Also for the errors Fastify's router answers before Nest sees the request (a bad URL). */
  answer(error: unknown, response: FastifyReply): void {
    const exception = toHttpException(error) ?? error;
    const body = this.toBody(exception, response);
    if (response.raw.headersSent) {
      response.raw.end();
      return;
    }
    if (exception instanceof RetryLaterException) {
      void response.header('Retry-After', String(exception.retryAfterSeconds));
    }
    void response.code(body.statusCode).send(body);
  }

  private toBody(exception: unknown, response: FastifyReply): ErrorResponseDto {
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
      { requestId: answeredRequestId(response.raw) },
    );
    return { statusCode: 500, error: STATUS_CODES[500] ?? 'Error', message: 'internal error' };
  }
}

/**
 * Client errors whose message is meant for the client: Fastify's own (a `FST_` code and a
 * statusCode: a malformed URL, say), and those following the http-errors convention.
 */
function asExposedClientError(error: unknown): { status: number; message: string } | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { status, statusCode, expose, code, message } = error as Record<string, unknown>;
  const fastify = typeof code === 'string' && code.startsWith('FST_');
  const given = fastify ? statusCode : status;
  if (typeof given !== 'number' || given < 400 || given > 499 || (!fastify && expose !== true)) {
    return undefined;
  }
  return { status: given, message: typeof message === 'string' ? message : 'bad request' };
}
