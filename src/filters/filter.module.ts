import { Module } from '@nestjs/common';
import { FilterController } from './filter.controller.js';
import { FilterService } from './filter.service.js';
import { InMemoryRuleStore, RuleStore } from './rule-store.js';

@Module({
  controllers: [FilterController],
  providers: [FilterService, { provide: RuleStore, useClass: InMemoryRuleStore }],
  exports: [FilterService],
})
export class FilterModule {}
