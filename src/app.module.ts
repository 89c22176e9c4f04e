import { DynamicModule, Module } from '@nestjs/common';
import { type AppConfig, SETTINGS_GROUPS } from './app.settings.js';
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
        ConfigModule.forRoot(SETTINGS_GROUPS, config),
        MetricsModule,
        FilterModule,
        IngestModule,
        HealthModule,
      ],
    };
  }
}
