import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import {
  ApiBadGatewayResponse,
  ApiBadRequestResponse,
  ApiBody,
  ApiExtraModels,
  ApiOkResponse,
  ApiOperation,
  ApiPayloadTooLargeResponse,
  ApiServiceUnavailableResponse,
  ApiTags,
  ApiUnsupportedMediaTypeResponse,
  getSchemaPath,
} from '@nestjs/swagger';
import { AppConfig } from '../config/app-config.js';
import { KYTOS_API_BASE } from '../http/api-routes.js';
import { ErrorResponseDto } from '../http/error-response.dto.js';
import { IngestResultDto } from './dto/ingest-result.dto.js';
import { KytosEventDto } from './dto/kytos-event.dto.js';
import { IngestService } from './ingest.service.js';
import { readEventBatch } from './kytos-event-batch.js';

@ApiTags('events')
@ApiExtraModels(KytosEventDto)
@Controller(`${KYTOS_API_BASE}/events`)
export class IngestController {
  constructor(
    private readonly ingestService: IngestService,
    private readonly config: AppConfig,
  ) {}

  @Post()
  @HttpCode(200)
  @ApiOperation({
    summary: 'Webhook for Kytos events: one event or an array of them.',
    description:
      'Answers only after Kafka acknowledged every permitted event of the request. ' +
      'A rejected request publishes nothing; after a 503 the sender should retry.',
  })
  @ApiBody({
    schema: {
      oneOf: [
        { $ref: getSchemaPath(KytosEventDto) },
        { type: 'array', items: { $ref: getSchemaPath(KytosEventDto) }, minItems: 1 },
      ],
    },
  })
  @ApiOkResponse({ type: IngestResultDto })
  @ApiBadRequestResponse({
    type: ErrorResponseDto,
    description: 'malformed JSON or an invalid event',
  })
  @ApiPayloadTooLargeResponse({
    type: ErrorResponseDto,
    description: 'body, batch or record too large',
  })
  @ApiUnsupportedMediaTypeResponse({ type: ErrorResponseDto })
  @ApiBadGatewayResponse({
    type: ErrorResponseDto,
    description: 'Kafka refused the records for good',
  })
  @ApiServiceUnavailableResponse({
    type: ErrorResponseDto,
    description: 'Kafka unavailable; retry later',
  })
  ingest(@Body() body: unknown): Promise<IngestResultDto> {
    return this.ingestService.ingest(readEventBatch(body, this.config.ingest.maxBatchEvents));
  }
}
