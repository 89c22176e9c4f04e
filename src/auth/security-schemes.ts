/**
 * The names of the security schemes in the API description: the admin's bearer token; the
 * webhook's signature (with its timestamp), its Standard Webhooks headers, or its token. The
 * controllers name the ones their routes take; the OpenAPI document declares them.
 */
export const ADMIN_TOKEN = 'admin-token';
export const WEBHOOK_SIGNATURE = 'webhook-signature';
export const WEBHOOK_TIMESTAMP = 'webhook-timestamp';
export const WEBHOOK_TOKEN = 'webhook-token';
export const STANDARD_WEBHOOK_ID = 'standard-webhook-id';
export const STANDARD_WEBHOOK_TIMESTAMP = 'standard-webhook-timestamp';
export const STANDARD_WEBHOOK_SIGNATURE = 'standard-webhook-signature';
