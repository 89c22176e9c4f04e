/** The paths the Kytos NApp `kafka_events` served, so Kytos-side tooling keeps working. */
export const KYTOS_API_BASE = 'api/kytos/kafka_events/v1';
export const SWAGGER_PATH = 'api/docs';
