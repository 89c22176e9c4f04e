import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';
import { RULE_ACTIONS, type RuleAction } from '../filter-rule.js';

export class CreateFilterDto {
  @ApiProperty({
    description:
      'RE2 regular expression matched against the start of an event name; end it with $ for an exact match.',
    example: 'kytos/mef_eline\\.',
    format: 'regex',
    minLength: 1,
  })
  @IsString()
  @IsNotEmpty()
  pattern!: string;

  @ApiPropertyOptional({ description: 'What the rule is for.', maxLength: 256, default: '' })
  @IsOptional()
  @IsString()
  @MaxLength(256)
  description?: string;

  @ApiPropertyOptional({
    enum: RULE_ACTIONS,
    default: 'allow',
    description: 'allow: events matching may leave; deny: they may not, whatever allows them.',
  })
  @IsOptional()
  @IsIn(RULE_ACTIONS)
  action?: RuleAction;
}
