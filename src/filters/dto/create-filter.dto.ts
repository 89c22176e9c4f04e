import { ApiProperty, ApiPropertyOptional, OmitType, PickType } from '@nestjs/swagger';
import {
  IsIn,
  IsNotEmpty,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  ValidateIf,
} from 'class-validator';
import { TOPIC_NAME, TOPIC_NAME_RULE } from '../../kafka/index.js';
import { RULE_ACTIONS, type RuleAction } from '../filter-rule.js';
import { JSON_POINTER } from '../json-pointer.js';

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
    pattern: TOPIC_NAME.source,
  })
  // Absent is fine; null is not a topic (IsOptional would let it through).
  @ValidateIf((dto: CreateFilterDto) => dto.topic !== undefined)
  @IsString()
  @Matches(TOPIC_NAME, {
    message: `topic must be ${TOPIC_NAME_RULE}`,
  })
  topic?: string;

  @ApiPropertyOptional({
    description:
      'Allow rules only: a JSON Pointer (RFC 6901) into the event whose string or number value becomes the record key, so that all events of one switch, circuit or link stay in order on one partition; the event name when it finds nothing. Chosen among matching allow rules as topic is.',
    example: '/content/evc/id',
    maxLength: 256,
    pattern: JSON_POINTER.source,
  })
  @ValidateIf((dto: CreateFilterDto) => dto.key !== undefined)
  @IsString()
  @MaxLength(256)
  @Matches(JSON_POINTER, { message: 'key must be a JSON Pointer (RFC 6901), e.g. /content/evc/id' })
  key?: string;
}

/** The request body as the API describes it: an allow rule, which may route, ... */
export class CreateAllowRuleDto extends OmitType(CreateFilterDto, ['action'] as const) {
  @ApiPropertyOptional({ enum: ['allow'], default: 'allow' })
  action?: 'allow';
}

/** ... or a deny rule, which sends nothing and so has neither topic nor key. */
export class CreateDenyRuleDto extends PickType(CreateFilterDto, [
  'pattern',
  'description',
] as const) {
  @ApiProperty({
    enum: ['deny'],
    description: 'Events matching may not leave, whatever allows them.',
  })
  action!: 'deny';
}
