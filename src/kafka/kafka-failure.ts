/**
 * Kafka errors that another attempt cannot fix: the records are wrong, not the moment. Everything
 * else from kafkajs (connection refused, leader moving, timeouts) is transient.
 */
const RECORD_ERRORS = new Set([
  'MESSAGE_TOO_LARGE',
  'RECORD_LIST_TOO_LARGE',
  'INVALID_RECORD',
  'CORRUPT_MESSAGE',
  'INVALID_TOPIC_EXCEPTION',
  'INVALID_REQUIRED_ACKS',
  'UNSUPPORTED_COMPRESSION_TYPE',
  'UNSUPPORTED_FOR_MESSAGE_FORMAT',
  'POLICY_VIOLATION',
]);

/**
 * Kafka refuses this service itself: its credentials or permissions are wrong, not the records.
 * Retrying at once cannot help, but the events must not be set aside either: an operator fixes it.
 */
const CREDENTIAL_ERRORS = new Set([
  'TOPIC_AUTHORIZATION_FAILED',
  'CLUSTER_AUTHORIZATION_FAILED',
  'TRANSACTIONAL_ID_AUTHORIZATION_FAILED',
  'SASL_AUTHENTICATION_FAILED',
  'ILLEGAL_SASL_STATE',
  'UNSUPPORTED_SASL_MECHANISM',
]);

/** What a publish failure means for the sender. */
export class KafkaFailure extends Error {
  private constructor(
    /**
     * `unavailable`: try again later (503). `unauthorized`: Kafka refuses this service's
     * credentials (503, until an operator fixes them). `rejected`: Kafka will refuse these records (502).
     * `internal`: a fault of this service, not Kafka's answer (500; the spool keeps such records).
     */
    readonly kind: 'unavailable' | 'unauthorized' | 'rejected' | 'internal',
    readonly reason: string,
    override readonly cause: unknown,
  ) {
    super(`${kind}: ${reason}`);
    this.name = 'KafkaFailure';
  }

  static from(error: unknown): KafkaFailure {
    if (error instanceof KafkaFailure) return error;
    const chain = causesOf(error);
    const credentials = chain.find(isCredentialError);
    if (credentials) return new KafkaFailure('unauthorized', explain(credentials), error);
    const permanent = chain.find((link) => RECORD_ERRORS.has(typeOf(link) ?? ''));
    if (permanent) return new KafkaFailure('rejected', explain(permanent), error);
    const foreign = chain.every((link) => !isKafkaJsError(link));
    // An error that is not kafkajs' own is a fault of this service, not of the moment.
    if (foreign) return new KafkaFailure('internal', 'internal publishing error', error);
    return new KafkaFailure('unavailable', explain(chain[chain.length - 1]), error);
  }

  /** Kafka will not take these records (a topic that cannot exist, say), decided here. */
  static refused(reason: string): KafkaFailure {
    return new KafkaFailure('rejected', reason, undefined);
  }

  /** No acknowledgement came in time; the records may still be written (a resend is safe). */
  static timedOut(reason: string): KafkaFailure {
    return new KafkaFailure('unavailable', reason, undefined);
  }

  static isTransient(error: unknown): boolean {
    return KafkaFailure.from(error).kind === 'unavailable';
  }

  /** Whether the error, or one it wraps, is a Kafka answer of one of these types. */
  static hasType(error: unknown, ...types: string[]): boolean {
    return causesOf(error).some((link) => types.includes(typeOf(link) ?? ''));
  }

  /**
   * What the broker answered when it refused a request for good (a topic it will not create,
   * say), as `TYPE: message`; undefined when the error is not such an answer.
   */
  static brokerRefusal(error: unknown): string | undefined {
    const refusal = causesOf(error).find(
      (link) =>
        typeOf(link) !== undefined && (link as Error & { retriable?: unknown }).retriable === false,
    );
    return refusal === undefined ? undefined : explain(refusal);
  }
}

/** kafkajs wraps errors (retries exceeded, aggregate of several brokers): look at every one. */
export function causesOf(error: unknown): unknown[] {
  const seen: unknown[] = [];
  const queue = [error];
  while (queue.length > 0 && seen.length < 32) {
    const current = queue.shift();
    if (current === undefined || current === null || seen.includes(current)) continue;
    seen.push(current);
    if (typeof current === 'object') {
      const { originalError, cause, errors } = current as Record<string, unknown>;
      queue.push(originalError, cause, ...(Array.isArray(errors) ? (errors as unknown[]) : []));
    }
  }
  return seen;
}

function isKafkaJsError(error: unknown): boolean {
  return error instanceof Error && error.name.startsWith('KafkaJS');
}

function typeOf(error: unknown): string | undefined {
  const type = error instanceof Error ? (error as Error & { type?: unknown }).type : undefined;
  return typeof type === 'string' ? type : undefined;
}

function isCredentialError(error: unknown): boolean {
  return (
    (error instanceof Error && error.name === 'KafkaJSSASLAuthenticationError') ||
    CREDENTIAL_ERRORS.has(typeOf(error) ?? '')
  );
}

function explain(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const type = typeOf(error);
  return type ? `${type}: ${error.message}` : error.message;
}
