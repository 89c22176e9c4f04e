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

  @ApiPropertyOptional({
    description:
      'Allow rules only: the Kafka topic the events it permits go to, created if missing. When several matching allow rules have a topic, the one with the longest pattern wins (equal lengths: the smallest id); without any, KAFKA_TOPIC.',
    example: 'kytos.evcs',
    pattern: '^[A-Za-z0-9._-]{1,249}$',
  })
  @IsOptional()
  @IsString()
  @MaxLength(249)
  topic?: string;

  @ApiPropertyOptional({
    description:
      'Allow rules only: a JSON Pointer (RFC 6901) into the event whose string or number value becomes the record key, so that all events of one switch, circuit or link stay in order on one partition; the event name when it finds nothing. Chosen among matching allow rules as topic is.',
    example: '/content/evc/id',
    maxLength: 256,
  })
  @IsOptional()
  @IsString()
  @MaxLength(256)
  key?: string;
}
