import { Controller, HttpCode, Post, Res, UseGuards } from '@nestjs/common';
import { RouteConfig } from '@nestjs/platform-fastify';
import {
  ApiBadGatewayResponse,
  ApiBadRequestResponse,
  ApiAcceptedResponse,
  ApiExtraModels,
  ApiOkResponse,
  ApiOperation,
  ApiSecurity,
  ApiPayloadTooLargeResponse,
  ApiRequestTimeoutResponse,
  ApiServiceUnavailableResponse,
  ApiTags,
  ApiUnauthorizedResponse,
  ApiUnsupportedMediaTypeResponse,
  getSchemaPath,
} from '@nestjs/swagger';
import {
  STANDARD_WEBHOOK_ID,
  STANDARD_WEBHOOK_SIGNATURE,
  STANDARD_WEBHOOK_TIMESTAMP,
  WEBHOOK_SIGNATURE,
  WEBHOOK_TIMESTAMP,
  WEBHOOK_TOKEN,
} from '../auth/index.js';
import type { FastifyReply } from 'fastify';
import { IngestResultDto, SpooledResultDto } from './dto/ingest-result.dto.js';
import { KytosEventDto } from './dto/kytos-event.dto.js';
import { IngestService } from './ingest.service.js';
import { CloudEventDto } from './dto/cloud-event.dto.js';
import { CLOUD_EVENT_BATCH_TYPE, CLOUD_EVENT_TYPE, EventBatchPipe } from './event-batch.pipe.js';
import type { EventBatch } from './kytos-event.js';
import { WebhookBatch } from './webhook-body.decorator.js';
import { WEBHOOK_ROUTE } from './webhook-request.js';
import { WebhookGuard } from './webhook.guard.js';

@ApiTags('events')
// Both signature headers, or the three Standard Webhooks headers, or the bearer token.
@ApiSecurity({ [WEBHOOK_SIGNATURE]: [], [WEBHOOK_TIMESTAMP]: [] })
@ApiSecurity({
  [STANDARD_WEBHOOK_ID]: [],
  [STANDARD_WEBHOOK_TIMESTAMP]: [],
  [STANDARD_WEBHOOK_SIGNATURE]: [],
})
@ApiSecurity(WEBHOOK_TOKEN)
@ApiExtraModels(KytosEventDto, CloudEventDto)
@Controller('events')
export class IngestController {
  constructor(private readonly ingestService: IngestService) {}

  @Post()
  @RouteConfig(WEBHOOK_ROUTE)
  @UseGuards(WebhookGuard)
  @HttpCode(200)
  @ApiOperation({
    summary: 'Webhook for Kytos events: one event or an array of them.',
    description:
      'In the `kafka` delivery mode, answers 200 only after Kafka acknowledged every permitted ' +
      'event of the request; in the `spool` mode, 202 once they are fsynced to the local spool. ' +
      'A rejected request publishes nothing; after a 503 the sender should retry. Senders ' +
      'other than Kytos may post CloudEvents 1.0 in the JSON format, one ' +
      '(`application/cloudevents+json`) or an array (`application/cloudevents-batch+json`): ' +
      '`type` is the event name the rules decide on, `data` the content. A `traceparent` ' +
      'header is continued by the events that carry no trace context of their own.',
    requestBody: {
      required: true,
      content: {
        'application/json': {
          schema: {
            oneOf: [
              { $ref: getSchemaPath(KytosEventDto) },
              { type: 'array', items: { $ref: getSchemaPath(KytosEventDto) }, minItems: 1 },
            ],
          },
        },
        [CLOUD_EVENT_TYPE]: { schema: { $ref: getSchemaPath(CloudEventDto) } },
        [CLOUD_EVENT_BATCH_TYPE]: {
          schema: { type: 'array', items: { $ref: getSchemaPath(CloudEventDto) }, minItems: 1 },
        },
      },
    },
  })
  @ApiOkResponse({ type: IngestResultDto, description: '`kafka` mode: acknowledged by Kafka' })
  @ApiAcceptedResponse({ type: SpooledResultDto, description: '`spool` mode: on the local disk' })
  @ApiBadRequestResponse({
    description: 'malformed JSON or an invalid event',
  })
  @ApiPayloadTooLargeResponse({
    description:
      "too large: the body (over INGEST_MAX_BODY_BYTES, after any Content-Encoding is undone), the batch (over INGEST_MAX_BATCH_EVENTS), an event as a Kafka record uncompressed (over KAFKA_MAX_RECORD_BYTES), an event whose record batch, compressed with KAFKA_COMPRESSION, exceeds what Kafka takes for its topic (its max.message.bytes, and the brokers' socket.request.max.bytes, as the brokers give them), or a request whose events together exceed PUBLISH_MAX_QUEUED_BYTES (kafka mode) or SPOOL_MAX_BYTES (spool mode); `message` names the limit",
  })
  @ApiUnsupportedMediaTypeResponse()
  @ApiRequestTimeoutResponse({
    description: 'the body took longer than INGEST_BODY_TIMEOUT_MS to arrive; nothing published',
  })
  @ApiUnauthorizedResponse({
    description:
      'missing or bad signature or token, a signature already used, or a timestamp outside the window',
  })
  @ApiBadGatewayResponse({
    description:
      "Kafka refused one of the request's records for good; only that record's sender hears of it",
  })
  @ApiServiceUnavailableResponse({
    description:
      'Kafka unavailable, the queue or spool full, the replay window full (AUTH_REPLAY_CAPACITY), too many bytes of unverified bodies held (AUTH_UNVERIFIED_BYTES_MAX), or too many bytes of bodies in progress (INGEST_MAX_BODIES_BYTES); retry after Retry-After',
  })
  async ingest(
    @WebhookBatch(EventBatchPipe) batch: EventBatch,
    @Res({ passthrough: true }) response: FastifyReply,
  ): Promise<IngestResultDto | SpooledResultDto> {
    const receipt = await this.ingestService.ingest(batch);
    response.code(receipt.status);
    return receipt.body;
  }
}
