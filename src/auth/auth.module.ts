import { Module } from '@nestjs/common';
import { EventMetrics } from '../metrics/index.js';
import { authSettings, type AuthSettings } from './auth.settings.js';
import { RefusalDelay } from './refusal-delay.js';
import { WebhookAuthenticator } from './webhook-authenticator.js';

/**
 * Who may post: the webhook's authenticator (one replay memory for the whole service) and the
 * delay a refusal waits out, for the module that reads the webhook's requests.
 */
@Module({
  providers: [
    {
      provide: WebhookAuthenticator,
      inject: [authSettings.token, EventMetrics],
      useFactory: (auth: AuthSettings, metrics: EventMetrics) =>
        new WebhookAuthenticator(auth, metrics),
    },
    {
      provide: RefusalDelay,
      inject: [authSettings.token],
      useFactory: (auth: AuthSettings) => new RefusalDelay(auth.failureDelayMs),
    },
  ],
  exports: [WebhookAuthenticator, RefusalDelay],
})
export class AuthModule {}
