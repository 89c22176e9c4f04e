import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, getSchemaPath, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import {
  ADMIN_TOKEN,
  SIGNATURE_HEADER,
  STANDARD_ID_HEADER,
  STANDARD_SIGNATURE_HEADER,
  STANDARD_TIMESTAMP_HEADER,
  STANDARD_WEBHOOK_ID,
  STANDARD_WEBHOOK_SIGNATURE,
  STANDARD_WEBHOOK_TIMESTAMP,
  TIMESTAMP_HEADER,
  WEBHOOK_SIGNATURE,
  WEBHOOK_TIMESTAMP,
  WEBHOOK_TOKEN,
} from '../auth/index.js';
import { SWAGGER_PATH } from './api-routes.js';
import { ASYNCAPI_DOCUMENT_PATH, ASYNCAPI_PAGE_PATH } from '../contract/index.js';
import { ErrorResponseDto } from './error-response.dto.js';

/** What the error-shape pass reads of an operation (the OpenAPI types are not exported). */
interface Operation {
  responses?: Record<
    string,
    { $ref?: string; description?: string; content?: Record<string, unknown> }
  >;
}

const RATE_LIMITED =
  "over this client's rate (RATE_LIMIT_PER_SECOND, RATE_LIMIT_BURST; the probes and /metrics have budgets of their own; none when RATE_LIMIT_PER_SECOND is 0); retry after Retry-After";

/** The API description that /api/docs serves and that openapi.json must equal. */
export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const info = new DocumentBuilder()
    .setTitle('kafka-events')
    .setDescription(
      'Streams Kytos SDN controller events into Apache Kafka. Permission rules (regular ' +
        'expressions on the event name) decide which events may leave.\n\n' +
        `What consumers read from Kafka (topics, keys, headers, each event family's content): ` +
        `[the AsyncAPI contract](/${ASYNCAPI_PAGE_PATH}) ([JSON](/${ASYNCAPI_DOCUMENT_PATH})).`,
    )
    .setVersion('1')
    .setLicense('MIT', 'https://opensource.org/licenses/MIT')
    // Relative: the API is wherever this document is served from.
    .addServer('/', 'this service')
    .addBearerAuth(
      { type: 'http', scheme: 'bearer', description: 'AUTH_ADMIN_TOKEN, for rule management' },
      ADMIN_TOKEN,
    )
    .addApiKey(
      {
        type: 'apiKey',
        in: 'header',
        name: SIGNATURE_HEADER,
        description:
          '`sha256=` + hex HMAC-SHA256 of `<timestamp>.<raw body>` with AUTH_WEBHOOK_SECRET; goes with the timestamp header',
      },
      WEBHOOK_SIGNATURE,
    )
    .addApiKey(
      {
        type: 'apiKey',
        in: 'header',
        name: TIMESTAMP_HEADER,
        description: 'Unix seconds the signature was made; within AUTH_MAX_SKEW_SECONDS of now',
      },
      WEBHOOK_TIMESTAMP,
    )
    .addBearerAuth(
      {
        type: 'http',
        scheme: 'bearer',
        description: 'AUTH_WEBHOOK_TOKEN, the webhook alternative to signatures',
      },
      WEBHOOK_TOKEN,
    )
    .addApiKey(
      {
        type: 'apiKey',
        in: 'header',
        name: STANDARD_ID_HEADER,
        description: 'Standard Webhooks: the message id (1 to 256 printable characters)',
      },
      STANDARD_WEBHOOK_ID,
    )
    .addApiKey(
      {
        type: 'apiKey',
        in: 'header',
        name: STANDARD_TIMESTAMP_HEADER,
        description: 'Standard Webhooks: Unix seconds the signature was made',
      },
      STANDARD_WEBHOOK_TIMESTAMP,
    )
    .addApiKey(
      {
        type: 'apiKey',
        in: 'header',
        name: STANDARD_SIGNATURE_HEADER,
        description:
          'Standard Webhooks: space-separated `v1,<base64 HMAC-SHA256 of <id>.<timestamp>.<raw body>>`, keyed by AUTH_WEBHOOK_SECRET (a `whsec_` secret is base64 of the key)',
      },
      STANDARD_WEBHOOK_SIGNATURE,
    )
    .build();
  const document = SwaggerModule.createDocument(app, info, { extraModels: [ErrorResponseDto] });
  // The rate limiter stands in front of every route, so its 429 is declared here, once, where a
  // route does not say more of it.
  for (const path of Object.values(document.paths)) {
    for (const operation of Object.values(path) as Operation[]) {
      operation.responses ??= {};
      operation.responses['429'] ??= { description: RATE_LIMITED };
    }
  }
  // Every error answer has the one shape HttpErrorFilter writes: the controllers list their
  // errors, and the shape is attached here, once.
  for (const path of Object.values(document.paths)) {
    for (const operation of Object.values(path) as Operation[]) {
      for (const [status, response] of Object.entries(operation.responses ?? {})) {
        if (
          Number(status) >= 400 &&
          response.$ref === undefined &&
          response.content === undefined
        ) {
          response.content = {
            'application/json': { schema: { $ref: getSchemaPath(ErrorResponseDto) } },
          };
        }
      }
    }
  }
  // The validation pipe refuses properties a DTO does not declare (forbidNonWhitelisted): say so.
  for (const schema of Object.values(document.components?.schemas ?? {})) {
    if ('properties' in schema && schema.additionalProperties === undefined) {
      schema.additionalProperties = false;
    }
  }
  return document;
}

export function serveSwaggerUi(app: INestApplication, document: OpenAPIObject): void {
  SwaggerModule.setup(SWAGGER_PATH, app, document, {
    jsonDocumentUrl: `${SWAGGER_PATH}/openapi.json`,
  });
}
