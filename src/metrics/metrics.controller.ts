import { Controller, Get, Header } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { EventMetrics } from './event-metrics.js';

@ApiTags('metrics')
// Open to the scraper, like the probes: an empty security requirement says so.
@ApiSecurity({})
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: EventMetrics) {}

  @Get()
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  @ApiOperation({
    summary: 'Prometheus metrics: the event path, Kafka, rules and the Node process.',
  })
  @ApiProduces('text/plain')
  @ApiOkResponse({ schema: { type: 'string' } })
  scrape(): Promise<string> {
    return this.metrics.registry.metrics();
  }
}
