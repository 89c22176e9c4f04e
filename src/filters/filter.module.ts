import { Module } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { EventMetrics } from '../metrics/index.js';
import { FilterController } from './filter.controller.js';
import { FilterService } from './filter.service.js';
import { KafkaRuleStore } from './kafka-rule-store.js';
import { RuleGauges } from './rule-gauges.js';
import { InMemoryRuleStore, RuleStore } from './rule-store.js';

@Module({
  controllers: [FilterController],
  providers: [
    FilterService,
    RuleGauges,
    {
      provide: RuleStore,
      inject: [AppConfig, EventMetrics],
      useFactory: (config: AppConfig, metrics: EventMetrics): RuleStore =>
        config.filters.store === 'kafka'
          ? new KafkaRuleStore(config, metrics)
          : new InMemoryRuleStore(),
    },
  ],
  exports: [FilterService],
})
export class FilterModule {}
