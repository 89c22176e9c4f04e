import { Injectable } from '@nestjs/common';
import { HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { PublisherService } from '../publisher/index.js';

/** A spool whose forwarder is down keeps answering 202 while nothing leaves: not ready. */
@Injectable()
export class SpoolHealthIndicator {
  constructor(
    private readonly indicators: HealthIndicatorService,
    private readonly publisher: PublisherService,
  ) {}

  check(): HealthIndicatorResult<'spool'> {
    const indicator = this.indicators.check('spool');
    const state = this.publisher.forwarderState;
    return state.status === 'restarting'
      ? indicator.down({ message: `the spool forwarder failed and restarts: ${state.reason}` })
      : indicator.up({ forwarder: state.status });
  }
}
