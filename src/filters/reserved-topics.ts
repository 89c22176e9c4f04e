import type { AppConfig } from '../config/app-config.js';

/**
 * Topics the service keeps for something other than events: the rules (FILTER_TOPIC), where an
 * event keyed like a rule id could be compacted over a rule, and the dead letters
 * (KAFKA_DLQ_TOPIC). No rule may route events into them, whether created here or read back.
 */
export function reservedTopicOf(config: AppConfig, topic: string): string | undefined {
  if (topic === config.filters.topic) return 'holds the permission rules (FILTER_TOPIC)';
  if (topic === config.kafka.dlqTopic) return 'holds the dead letters (KAFKA_DLQ_TOPIC)';
  return undefined;
}
