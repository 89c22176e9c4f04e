import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { FilterRule, RULE_ACTIONS, type RuleAction } from '../filter-rule.js';

export class RuleHitsDto {
  @ApiProperty({ description: 'Events it matched that were published.', example: 1520 })
  allowed!: number;

  @ApiProperty({
    description: 'Events it matched that were denied (by it or by another rule).',
    example: 3,
  })
  denied!: number;
}

/** One rule as the API shows it: the Kytos NApp's {pattern, mutable, description}, plus action. */
export class FilterRuleDto {
  @ApiProperty({ example: 'kytos[./](.*)' })
  pattern!: string;

  @ApiProperty({
    description: 'false for a preset from the configuration, which cannot be deleted',
  })
  mutable!: boolean;

  @ApiProperty({ example: 'Allows all core NApps' })
  description!: string;

  @ApiProperty({ enum: RULE_ACTIONS, example: 'allow' })
  action!: RuleAction;

  @ApiPropertyOptional({
    description: 'The topic the events it permits go to, when the rule routes them.',
    example: 'kytos.evcs',
  })
  topic?: string;

  @ApiPropertyOptional({
    description: 'The JSON Pointer their record key is read from, when the rule keys them.',
    example: '/content/evc/id',
  })
  key?: string;

  @ApiProperty({
    type: RuleHitsDto,
    description:
      'Events this rule matched on the instance that answers, since it started or the rule was made (per instance: replicas count apart).',
  })
  hits!: RuleHitsDto;

  /** The API's map shape: `{"<id>": {pattern, mutable, description, action, topic?, key?, hits}}`. */
  static mapOf(
    rules: FilterRule[],
    hitsOf: (id: string) => RuleHitsDto,
  ): Record<string, FilterRuleDto> {
    const map: Record<string, FilterRuleDto> = {};
    for (const { id, pattern, mutable, description, action, routing } of rules) {
      map[id] = { pattern, mutable, description, action, ...routing, hits: hitsOf(id) };
    }
    return map;
  }
}
