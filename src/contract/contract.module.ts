import { Module } from '@nestjs/common';
import { ContractController } from './contract.controller.js';
import { EventContentCheck } from './event-content-check.js';

/**
 * The contract for the people who read the topics: served as AsyncAPI, and (when
 * EVENT_SCHEMA_VALIDATION asks) held against each permitted event on its way in.
 */
@Module({
  controllers: [ContractController],
  providers: [EventContentCheck],
  exports: [EventContentCheck],
})
export class ContractModule {}
