import { Module } from '@nestjs/common';
import {
  KafkaClients,
  KafkaModule,
  kafkaSettings,
  type KafkaSettings,
  TopicAdmin,
} from '../kafka/index.js';
import { filterSettings, type FilterSettings } from './filter.settings.js';
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
      inject: [filterSettings.token, kafkaSettings.token, EventMetrics, KafkaClients, TopicAdmin],
      useFactory: (
        filters: FilterSettings,
        kafka: KafkaSettings,
        metrics: EventMetrics,
        clients: KafkaClients,
        topics: TopicAdmin,
      ): RuleStore =>
        filters.store === 'kafka'
          ? new KafkaRuleStore(filters, kafka, metrics, clients, topics)
          : new InMemoryRuleStore(),
    },
  ],
  exports: [FilterService],
})
export class FilterModule {}
