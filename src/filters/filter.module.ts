import { Module } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { KafkaClients, KafkaModule, TopicAdmin } from '../kafka/index.js';
import { EventMetrics } from '../metrics/index.js';
import { FilterController } from './filter.controller.js';
import { FilterService } from './filter.service.js';
import { KafkaRuleStore } from './kafka-rule-store.js';
import { RuleMetrics } from './rule-metrics.js';
import { InMemoryRuleStore, RuleStore } from './rule-store.js';

@Module({
  imports: [KafkaModule],
  controllers: [FilterController],
  providers: [
    FilterService,
    RuleMetrics,
    {
      provide: RuleStore,
      inject: [AppConfig, EventMetrics, KafkaClients, TopicAdmin],
      useFactory: (
        config: AppConfig,
        metrics: EventMetrics,
        clients: KafkaClients,
        topics: TopicAdmin,
      ): RuleStore =>
        config.filters.store === 'kafka'
          ? new KafkaRuleStore(config, metrics, clients, topics)
          : new InMemoryRuleStore(),
    },
  ],
  exports: [FilterService],
})
export class FilterModule {}
