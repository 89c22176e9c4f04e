import { Controller, Get, Header } from '@nestjs/common';
import {
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiSecurity,
  ApiTags,
  ApiTooManyRequestsResponse,
} from '@nestjs/swagger';
import { EventMetrics } from './event-metrics.js';

/** How long one rendering of the metrics answers every scrape: N scrapers cost one render. */
export const SCRAPE_CACHE_MS = 1000;

@ApiTags('metrics')
// Open to the scraper, like the probes: an empty security requirement says so.
@ApiSecurity({})
@Controller('metrics')
export class MetricsController {
  private rendered?: { at: number; text: Promise<string> };

  constructor(private readonly metrics: EventMetrics) {}

  @Get()
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  @ApiOperation({
    summary: 'Prometheus metrics: the event path, Kafka, rules and the Node process.',
    description: 'Rendered at most once a second; scrapes meanwhile get that rendering.',
  })
  @ApiProduces('text/plain')
  @ApiOkResponse({ schema: { type: 'string' } })
  @ApiTooManyRequestsResponse({
    description: 'over 5 scrapes a second (burst 20) for this client; retry after Retry-After',
  })
  scrape(): Promise<string> {
    const now = performance.now();
    if (!this.rendered || now - this.rendered.at >= SCRAPE_CACHE_MS) {
      const text = this.metrics.registry.metrics();
      // A failed rendering is not kept: the next scrape tries again.
      void text.catch(() => {
        if (this.rendered?.text === text) this.rendered = undefined;
      });
      this.rendered = { at: now, text };
    }
    return this.rendered.text;
  }
}
