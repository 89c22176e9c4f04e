import { Injectable } from '@nestjs/common';
import { HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { Delivery } from '../publisher/index.js';

/** A delivery that takes events it cannot pass on (a spool whose forwarder is down) is not ready. */
@Injectable()
export class DeliveryHealthIndicator {
  constructor(
    private readonly indicators: HealthIndicatorService,
    private readonly delivery: Delivery,
  ) {}

  check(): HealthIndicatorResult<'delivery'> {
    const indicator = this.indicators.check('delivery');
    const { mode, problem } = this.delivery;
    return problem ? indicator.down({ message: problem, mode }) : indicator.up({ mode });
  }
}
