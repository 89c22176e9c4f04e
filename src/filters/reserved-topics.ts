import type { KafkaSettings } from '../kafka/index.js';
import type { FilterSettings } from './filter.settings.js';

/**
 * Topics the service keeps for something other than events: the rules (FILTER_TOPIC), where an
 * event keyed like a rule id could be compacted over a rule, and the dead letters
 * (KAFKA_DLQ_TOPIC). No rule may route events into them, whether created here or read back.
 */
export function reservedTopicOf(
  filters: FilterSettings,
  kafka: KafkaSettings,
  topic: string,
): string | undefined {
  if (topic === filters.topic) return 'holds the permission rules (FILTER_TOPIC)';
  if (topic === kafka.dlqTopic) return 'holds the dead letters (KAFKA_DLQ_TOPIC)';
  return undefined;
}
