import type { KafkaConfig } from 'kafkajs';
import type { KafkaSettings } from './kafka.settings.js';

/**
 * How every kafkajs client of this service (the publisher, the rule store, the readiness probe)
 * reaches the brokers: one place for addresses, timeouts, TLS and SASL, so they cannot disagree.
 */
export function kafkaConnection(
  kafka: KafkaSettings,
  clientIdSuffix = '',
): Pick<
  KafkaConfig,
  'clientId' | 'brokers' | 'connectionTimeout' | 'requestTimeout' | 'ssl' | 'sasl'
> {
  const { tls } = kafka;
  return {
    clientId: `${kafka.clientId}${clientIdSuffix}`,
    brokers: kafka.brokers,
    connectionTimeout: kafka.connectionTimeoutMs,
    requestTimeout: kafka.requestTimeoutMs,
    ssl: tls
      ? {
          rejectUnauthorized: true,
          ca: tls.ca,
          cert: tls.cert,
          key: tls.key,
          passphrase: tls.keyPassword,
          servername: tls.servername,
        }
      : undefined,
    sasl: kafka.sasl,
  };
}
