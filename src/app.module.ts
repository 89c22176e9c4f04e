import { DynamicModule, Module } from '@nestjs/common';
import { AppConfig } from './config/app-config.js';
import { ConfigModule } from './config/config.module.js';
import { FilterModule } from './filters/index.js';
import { HealthModule } from './health/health.module.js';
import { IngestModule } from './ingest/index.js';
import { MetricsModule } from './metrics/index.js';

@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        MetricsModule,
        FilterModule,
        IngestModule,
        HealthModule,
      ],
    };
  }
}
