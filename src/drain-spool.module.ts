import { DynamicModule, Module } from '@nestjs/common';
import { type AppConfig, SETTINGS_GROUPS } from './app.settings.js';
import { ConfigModule } from './config/index.js';
import { MetricsModule } from './metrics/index.js';
import { PublisherModule } from './publisher/index.js';

/**
 * What the drain command needs of the service: its settings and the spool delivery with its
 * forwarder and producer, the very providers the service runs. No webhook, no rules.
 */
@Module({})
export class DrainSpoolModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: DrainSpoolModule,
      imports: [ConfigModule.forRoot(SETTINGS_GROUPS, config), MetricsModule, PublisherModule],
    };
  }
}
