import { DynamicModule, Module } from '@nestjs/common';
import { RouterModule } from '@nestjs/core';
import { type AppConfig, SETTINGS_GROUPS } from './app.settings.js';
import { ConfigModule } from './config/index.js';
import { ContractModule } from './contract/index.js';
import { FilterModule } from './filters/index.js';
import { ForwardersModule } from './forwarders/index.js';
import { HealthModule } from './health/index.js';
import { HttpEdgeModule } from './http/index.js';
import { IngestModule } from './ingest/index.js';
import { MetricsModule } from './metrics/index.js';

/** The paths the Kytos NApp `kafka_events` served, so Kytos-side tooling keeps working. */
const KYTOS_API_BASE = 'api/kytos/kafka_events/v1';

@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(SETTINGS_GROUPS, config),
        MetricsModule,
        HttpEdgeModule,
        FilterModule,
        IngestModule,
        HealthModule,
        ContractModule,
        ForwardersModule,
        RouterModule.register([
          { path: KYTOS_API_BASE, module: IngestModule },
          { path: KYTOS_API_BASE, module: FilterModule },
          { path: KYTOS_API_BASE, module: ForwardersModule },
        ]),
      ],
    };
  }
}
