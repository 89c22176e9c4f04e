import { Controller, Get, ServiceUnavailableException } from '@nestjs/common';
import {
  ApiOkResponse,
  ApiOperation,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
import { FilterService } from '../filters/index.js';
import { ErrorResponseDto } from '../http/error-response.dto.js';

/** Probes for Kubernetes: live while the process answers, ready once the rules are loaded. */
@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(private readonly filters: FilterService) {}

  @Get('live')
  @ApiOperation({ summary: 'Liveness: the process answers.' })
  @ApiOkResponse({
    schema: { type: 'object', properties: { status: { type: 'string', example: 'ok' } } },
  })
  live(): { status: string } {
    return { status: 'ok' };
  }

  @Get('ready')
  @ApiOperation({
    summary: 'Readiness: every permission rule is loaded, so events can be decided.',
  })
  @ApiOkResponse({
    schema: { type: 'object', properties: { status: { type: 'string', example: 'ready' } } },
  })
  @ApiServiceUnavailableResponse({ type: ErrorResponseDto })
  ready(): { status: string } {
    if (!this.filters.ready)
      throw new ServiceUnavailableException('the permission rules are still loading');
    return { status: 'ready' };
  }
}
