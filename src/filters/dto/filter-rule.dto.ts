import { ApiProperty } from '@nestjs/swagger';
import { FilterRule } from '../filter-rule.js';

/** One rule as the API shows it: the Kytos NApp's {pattern, mutable, description}. */
export class FilterRuleDto {
  @ApiProperty({ example: 'kytos[./](.*)' })
  pattern!: string;

  @ApiProperty({
    description: 'false for a preset from the configuration, which cannot be deleted',
  })
  mutable!: boolean;

  @ApiProperty({ example: 'Allows all core NApps' })
  description!: string;

  /** The API's map shape: `{"<id>": {pattern, mutable, description}}`. */
  static mapOf(rules: FilterRule[]): Record<string, FilterRuleDto> {
    const map: Record<string, FilterRuleDto> = {};
    for (const rule of rules) {
      map[rule.id] = {
        pattern: rule.pattern,
        mutable: rule.mutable,
        description: rule.description,
      };
    }
    return map;
  }
}
