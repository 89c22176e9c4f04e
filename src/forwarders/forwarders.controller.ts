import { Body, Controller, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { RouteConfig } from '@nestjs/platform-fastify';
import { plainToInstance } from 'class-transformer';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiNoContentResponse,
  ApiOperation,
  ApiPayloadTooLargeResponse,
  ApiRequestTimeoutResponse,
  ApiSecurity,
  ApiServiceUnavailableResponse,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
  ApiUnsupportedMediaTypeResponse,
} from '@nestjs/swagger';
import {
  STANDARD_WEBHOOK_ID,
  STANDARD_WEBHOOK_SIGNATURE,
  STANDARD_WEBHOOK_TIMESTAMP,
  WEBHOOK_SIGNATURE,
  WEBHOOK_TIMESTAMP,
  WEBHOOK_TOKEN,
} from '../auth/index.js';
import { WEBHOOK_ROUTE, WebhookGuard } from '../ingest/index.js';
import { ForwarderParamsDto, ForwarderReportDto } from './dto/forwarder-report.dto.js';
import { ForwarderRegistry } from './forwarder-registry.js';

@ApiTags('forwarders')
// The webhook's own authentication: whoever may post events may report on posting them.
@ApiSecurity({ [WEBHOOK_SIGNATURE]: [], [WEBHOOK_TIMESTAMP]: [] })
@ApiSecurity({
  [STANDARD_WEBHOOK_ID]: [],
  [STANDARD_WEBHOOK_TIMESTAMP]: [],
  [STANDARD_WEBHOOK_SIGNATURE]: [],
})
@ApiSecurity(WEBHOOK_TOKEN)
@Controller('forwarders')
export class ForwardersController {
  constructor(private readonly registry: ForwarderRegistry) {}

  @Post(':id/report')
  @RouteConfig(WEBHOOK_ROUTE)
  @UseGuards(WebhookGuard)
  @HttpCode(204)
  @ApiOperation({
    summary: "A forwarder's (Kytos NApp's) counters, reported every few seconds.",
    description:
      'The counters since the NApp started (its `run`), exported as the `kafka_events_forwarder_*` metrics with the id as their `forwarder` label, added up over its runs. A forwarder with no report for longer than FORWARDER_SILENT_AFTER_MS shows as silent (`kafka_events_forwarder_silent` 1). Authenticated as the webhook is.',
  })
  @ApiNoContentResponse({ description: 'recorded' })
  @ApiBadRequestResponse({ description: 'an invalid id or report; `message` names the field' })
  @ApiConflictResponse({
    description:
      "a counter lower than in the run's previous report (counters only grow within a run), or a run a newer one replaced (two NApps under one id)",
  })
  @ApiPayloadTooLargeResponse({ description: 'the body is over INGEST_MAX_BODY_BYTES' })
  @ApiUnsupportedMediaTypeResponse({ description: 'the body is not JSON' })
  @ApiRequestTimeoutResponse({
    description: 'the body took longer than INGEST_BODY_TIMEOUT_MS to arrive',
  })
  @ApiUnauthorizedResponse({
    description:
      'missing or bad signature or token, a signature already used, or a timestamp outside the window',
  })
  @ApiTooManyRequestsResponse({
    description:
      'FORWARDERS_MAX other forwarders already report to this instance, or the client is over its rate',
  })
  @ApiServiceUnavailableResponse({
    description: 'the replay window is full (AUTH_REPLAY_CAPACITY); retry after Retry-After',
  })
  report(@Param() { id }: ForwarderParamsDto, @Body() body: ForwarderReportDto): void {
    // The copy the validation pipe checked (numbers read back, nothing it did not check), not
    // the parsed body, which the pipe hands on as it came.
    const report = plainToInstance(ForwarderReportDto, body);
    if (report.final === true) {
      this.registry.forget(id, report.run);
      return;
    }
    this.registry.record(id, report.run, {
      forwarded: report.forwarded,
      droppedByCause: report.dropped,
      queueDepth: report.queue_depth,
      loopSeconds: report.loop_seconds,
      eventsSeen: report.events_seen,
      filteredLocally: report.filtered_locally,
    });
  }
}
