import { Controller, Get, ServiceUnavailableException } from '@nestjs/common';
import {
  ApiOkResponse,
  ApiResponseSchemaHost,
  ApiOperation,
  ApiSecurity,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
import { HealthCheck, HealthCheckResult, HealthCheckService } from '@nestjs/terminus';
import { RetryLaterException } from '../common/index.js';
import { Readiness } from './readiness.js';

const HEALTH_RESULT: ApiResponseSchemaHost['schema'] = {
  type: 'object',
  properties: {
    status: { type: 'string', enum: ['ok', 'degraded'] },
    info: { type: 'object', additionalProperties: true },
    error: { type: 'object', additionalProperties: true },
    details: { type: 'object', additionalProperties: true },
  },
};

/** Probes for Kubernetes (NestJS terminus): live while the process answers, ready when it can do its job. */
@ApiTags('health')
// Open to the kubelet: an empty security requirement says so.
@ApiSecurity({})
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly readiness: Readiness,
  ) {}

  @Get('live')
  @HealthCheck({ swaggerDocumentation: false })
  @ApiOperation({ summary: 'Liveness: the process answers.' })
  @ApiOkResponse({ schema: HEALTH_RESULT })
  live(): Promise<HealthCheckResult> {
    return this.health.check([]);
  }

  @Get('ready')
  @HealthCheck({ swaggerDocumentation: false })
  @ApiOperation({
    summary:
      'Readiness: every permission rule is loaded and Kafka answers (in spool mode a Kafka outage only degrades).',
  })
  @ApiOkResponse({ schema: HEALTH_RESULT })
  @ApiServiceUnavailableResponse()
  async ready(): Promise<HealthCheckResult> {
    try {
      return await this.health.check(this.readiness.checks);
    } catch (error) {
      if (!(error instanceof ServiceUnavailableException)) throw error;
      // Terminus' own error body is reshaped into the one error shape of every endpoint.
      const { error: down = {} } = error.getResponse() as HealthCheckResult;
      const details = Object.entries(down).map(([field, result]) => ({
        field,
        reason: typeof result?.message === 'string' ? result.message : 'down',
      }));
      throw new RetryLaterException(
        `not ready: ${details.map(({ field, reason }) => `${field}: ${reason}`).join('; ')}`,
        5,
        details,
      );
    }
  }
}
