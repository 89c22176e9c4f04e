import { Module } from '@nestjs/common';
import { ContractModule } from '../contract/index.js';
import { FilterModule } from '../filters/index.js';
import { KafkaModule } from '../kafka/index.js';
import { PublisherModule } from '../publisher/index.js';
import { TracingModule } from '../tracing/index.js';
import { IngestController } from './ingest.controller.js';
import { IngestService } from './ingest.service.js';
import { WebhookRequestModule } from './webhook-request.module.js';

@Module({
  imports: [
    ContractModule,
    FilterModule,
    KafkaModule,
    PublisherModule,
    TracingModule,
    WebhookRequestModule,
  ],
  controllers: [IngestController],
  providers: [IngestService],
})
export class IngestModule {}
