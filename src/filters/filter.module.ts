import { Module } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { FilterController } from './filter.controller.js';
import { FilterService } from './filter.service.js';
import { KafkaRuleStore } from './kafka-rule-store.js';
import { InMemoryRuleStore, RuleStore } from './rule-store.js';

@Module({
  controllers: [FilterController],
  providers: [
    FilterService,
    {
      provide: RuleStore,
      inject: [AppConfig],
      useFactory: (config: AppConfig): RuleStore =>
        config.filters.store === 'kafka' ? new KafkaRuleStore(config) : new InMemoryRuleStore(),
    },
  ],
  exports: [FilterService],
})
export class FilterModule {}
