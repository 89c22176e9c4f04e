import { ApiProperty } from '@nestjs/swagger';
import { FilterRule, RULE_ACTIONS, type RuleAction } from '../filter-rule.js';

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

  /** The API's map shape: `{"<id>": {pattern, mutable, description, action}}`. */
  static mapOf(rules: FilterRule[]): Record<string, FilterRuleDto> {
    const map: Record<string, FilterRuleDto> = {};
    for (const { id, pattern, mutable, description, action } of rules) {
      map[id] = { pattern, mutable, description, action };
    }
    return map;
  }
}
