import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { SWAGGER_PATH } from './api-routes.js';

/** The API description that /api/docs serves and that openapi.json must equal. */
export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const info = new DocumentBuilder()
    .setTitle('kafka-events')
    .setDescription(
      'Streams Kytos SDN controller events into Apache Kafka. Permission rules (regular ' +
        'expressions on the event name) decide which events may leave.',
    )
    .setVersion('1')
    .addBearerAuth({
      type: 'http',
      scheme: 'bearer',
      description: 'AUTH_ADMIN_TOKEN for rule management; AUTH_WEBHOOK_TOKEN for the webhook',
    })
    .build();
  const document = SwaggerModule.createDocument(app, info);
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
