import { Module } from '@nestjs/common';
import { WebhookRequestModule } from '../ingest/index.js';
import { EventMetrics } from '../metrics/index.js';
import { registerForwarderMetrics } from './forwarder-metrics.js';
import { ForwarderRegistry } from './forwarder-registry.js';
import { ForwardersController } from './forwarders.controller.js';
import { forwardersSettings, type ForwardersSettings } from './forwarders.settings.js';

/** The Kytos NApps' own counters, reported to the service and exported per forwarder. */
@Module({
  imports: [WebhookRequestModule],
  controllers: [ForwardersController],
  providers: [
    {
      provide: ForwarderRegistry,
      inject: [forwardersSettings.token, EventMetrics],
      useFactory: (settings: ForwardersSettings, metrics: EventMetrics) => {
        const registry = new ForwarderRegistry(settings);
        registerForwarderMetrics(metrics, registry);
        return registry;
      },
    },
  ],
})
export class ForwardersModule {}
