import { Injectable } from '@nestjs/common';
import { HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { FilterService } from '../filters/index.js';

/** Deciding before every rule is loaded could let out what a deny rule stops. */
@Injectable()
export class RulesHealthIndicator {
  constructor(
    private readonly indicators: HealthIndicatorService,
    private readonly filters: FilterService,
  ) {}

  check(): HealthIndicatorResult<'rules'> {
    const indicator = this.indicators.check('rules');
    return this.filters.ready
      ? indicator.up({ count: this.filters.list().length })
      : indicator.down({
          message: this.filters.problem ?? 'the permission rules are still loading',
        });
  }
}
