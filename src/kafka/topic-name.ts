/**
 * Kafka's rule for topic names (A-Z a-z 0-9 . _ -, at most 249), starting with a letter or a
 * digit: so never `.`, `..`, nor one of Kafka's internal `__` topics. Every topic the service
 * is given, by a setting or by a rule, is checked against this one rule.
 */
export const TOPIC_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,248}$/;

/** What a valid topic name is, in words, for error messages. */
export const TOPIC_NAME_RULE = '1 to 249 of A-Z a-z 0-9 . _ -, starting with a letter or digit';
