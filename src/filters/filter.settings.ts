import type { z } from 'zod';
import {
  integer,
  json,
  oneOf,
  optionalText,
  SettingsGroup,
  type SettingsOf,
  text,
  type ValuesOf,
  verbatim,
} from '../config/index.js';
import { checkTopicName } from '../kafka/index.js';
import { FilterRule, type RuleAction } from './filter-rule.js';

export const RULE_STORES = ['kafka', 'memory'] as const;
export type RuleStoreKind = (typeof RULE_STORES)[number];

export interface PresetRuleSetting {
  pattern: string;
  description: string;
  action: RuleAction;
}

/** The Kytos NApp's defaults: every core NApp's events, but not the raw OpenFlow traffic. */
export const DEFAULT_PRESETS: PresetRuleSetting[] = [
  { pattern: 'kytos[./](.*)', description: 'Allows all core NApps', action: 'allow' },
  {
    pattern: 'kytos/of_core.v0x04.messages.*',
    description: 'Raw OpenFlow 1.3 messages',
    action: 'deny',
  },
  {
    pattern: 'kytos/flow_manager.messages.out.*',
    description: 'Outgoing flow_manager OpenFlow messages',
    action: 'deny',
  },
  {
    pattern: 'kytos/of_lldp.messages.out.*',
    description: 'Outgoing LLDP packet-outs',
    action: 'deny',
  },
  { pattern: 'kytos/core.openflow.raw.*', description: 'Raw OpenFlow traffic', action: 'deny' },
];

const MAX_PATTERN_LENGTH = 4096;

const fields = {
  FILTER_PRESETS: json(DEFAULT_PRESETS, parsePresets).about(
    'JSON array of immutable rules `{"pattern", "description"?, "action"?}`',
    "the NApp's: allow `kytos[./](.*)`, deny the four raw OpenFlow patterns",
  ),
  FILTER_STORE: oneOf('kafka', RULE_STORES).about(
    'where operator rules live: `kafka` (compacted topic shared by all instances) or `memory` (this process)',
  ),
  FILTER_TOPIC: text('kafka_events_filters', checkTopicName).about(
    'the compacted topic of operator rules',
  ),
  FILTER_SNAPSHOT_FILE: optionalText(checkPath).about(
    'file keeping the rules last applied from `FILTER_TOPIC` (decide while Kafka is away; notice a lost topic)',
  ),
  FILTER_MAX_PATTERN_LENGTH: integer(256, 1, MAX_PATTERN_LENGTH).about('longest rule pattern'),
  FILTER_MAX_RULES: integer(1000, 1, 100_000).about('most operator rules (`409` beyond)'),
};

/** The preset rules and where operator rules are kept (FilterModule's). */
export const filterSettings = new SettingsGroup(
  'Rules',
  fields,
  (env) => ({
    presets: env.FILTER_PRESETS,
    /** `kafka`: operator rules in a compacted topic every instance follows. `memory`: this process only. */
    store: env.FILTER_STORE,
    topic: env.FILTER_TOPIC,
    /**
     * A local copy of the last rules applied from Kafka: an instance that starts while Kafka is
     * away decides with it, and a rules topic that vanished is noticed instead of re-created empty.
     */
    snapshotFile: env.FILTER_SNAPSHOT_FILE,
    maxPatternLength: env.FILTER_MAX_PATTERN_LENGTH,
    maxRules: env.FILTER_MAX_RULES,
  }),
  checkPresets,
);

export type FilterSettings = SettingsOf<typeof filterSettings>;

/** A preset must compile like any rule (FILTER_MAX_PATTERN_LENGTH is the API's limit, not the operator's). */
function checkPresets(env: ValuesOf<typeof fields>, ctx: z.RefinementCtx): void {
  for (const { pattern } of env.FILTER_PRESETS) {
    try {
      FilterRule.create(pattern, '', false);
    } catch (error) {
      verbatim(
        ctx,
        `FILTER_PRESETS has a pattern that does not compile (${JSON.stringify(pattern)}): ${(error as Error).message}`,
      );
    }
  }
}

function checkPath(value: string): string | undefined {
  return value.includes('\0') ? 'a path' : undefined;
}

function parsePresets(value: unknown): PresetRuleSetting[] | string {
  const expected =
    'a JSON array of {"pattern": string, "description"?: string, "action"?: "allow" | "deny"}, ' +
    `each pattern 1 to ${MAX_PATTERN_LENGTH} characters`;
  if (!Array.isArray(value)) return expected;
  const presets: PresetRuleSetting[] = [];
  for (const item of value as unknown[]) {
    if (typeof item !== 'object' || item === null) return expected;
    const { pattern, description, action } = item as Record<string, unknown>;
    if (
      typeof pattern !== 'string' ||
      pattern.length === 0 ||
      pattern.length > MAX_PATTERN_LENGTH
    ) {
      return expected;
    }
    if (description !== undefined && typeof description !== 'string') return expected;
    if (action !== undefined && action !== 'allow' && action !== 'deny') return expected;
    presets.push({ pattern, description: description ?? '', action: action ?? 'allow' });
  }
  return presets;
}
