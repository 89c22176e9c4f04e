// Authentication's public face: other modules import from here, never from its files.
export { AdminAuthGuard } from './admin-auth.guard.js';
export { AuthModule } from './auth.module.js';
export { authSettings, type AuthSettings } from './auth.settings.js';
export { RefusalDelay } from './refusal-delay.js';
export { ReplayWindowFullError } from './replay-guard.js';
export {
  ADMIN_TOKEN,
  STANDARD_WEBHOOK_ID,
  STANDARD_WEBHOOK_SIGNATURE,
  STANDARD_WEBHOOK_TIMESTAMP,
  WEBHOOK_SIGNATURE,
  WEBHOOK_TIMESTAMP,
  WEBHOOK_TOKEN,
} from './security-schemes.js';
export { type PendingSignature, WebhookAuthenticator } from './webhook-authenticator.js';
export {
  SIGNATURE_HEADER,
  signWebhook,
  STANDARD_ID_HEADER,
  STANDARD_SIGNATURE_HEADER,
  STANDARD_TIMESTAMP_HEADER,
  TIMESTAMP_HEADER,
} from './webhook-signature.js';
