import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  IsIn,
  IsNotEmpty,
  IsObject,
  IsRFC3339,
  IsString,
  Matches,
  MaxLength,
  ValidateIf,
} from 'class-validator';
import { CLOUD_EVENT_SOURCE_PATTERN } from '../../publisher/index.js';
import { TRACEPARENT_PATTERN, TRACESTATE_PATTERN } from '../../tracing/index.js';
import { Printable, PRINTABLE_PATTERN } from './printable.decorator.js';
import { MAX_EVENT_NAME_LENGTH } from './kytos-event.dto.js';

export const MAX_CLOUD_EVENT_ID_LENGTH = 256;

/** May be left out, but not null: the schema says so, and CloudEvents has no null attributes. */
const Optional = () => ValidateIf((_: unknown, value: unknown) => value !== undefined);
/** The record's value is JSON, so only JSON data is taken. */
export const JSON_MEDIA_TYPE_PATTERN = "^application/([!#$%&'*.^`|~0-9A-Za-z-]+\\+)?json( *;.*)?$";

/**
 * One CloudEvent 1.0 in the JSON format (application/cloudevents+json), as a sender other than
 * Kytos posts it: `type` is the event name the rules decide on, `data` the content.
 */
export class CloudEventDto {
  @ApiProperty({ enum: ['1.0'] })
  @IsIn(['1.0'], { message: 'must be "1.0"' })
  specversion!: string;

  @ApiProperty({
    minLength: 1,
    maxLength: MAX_CLOUD_EVENT_ID_LENGTH,
    pattern: PRINTABLE_PATTERN,
    example: 'A234-1234-1234',
  })
  @IsString({ message: 'must be a string' })
  @IsNotEmpty({ message: 'must not be empty' })
  @Printable()
  @MaxLength(MAX_CLOUD_EVENT_ID_LENGTH, {
    message: `must be at most ${MAX_CLOUD_EVENT_ID_LENGTH} characters`,
  })
  id!: string;

  @ApiProperty({
    pattern: CLOUD_EVENT_SOURCE_PATTERN,
    description: 'A URI-reference, in ASCII without spaces.',
    example: 'https://sensors.example.net/doors',
  })
  @IsString({ message: 'must be a string' })
  @Matches(new RegExp(CLOUD_EVENT_SOURCE_PATTERN), {
    message: 'must be a URI-reference of 1 to 1024 printable ASCII characters, no spaces',
  })
  source!: string;

  @ApiProperty({
    minLength: 1,
    maxLength: MAX_EVENT_NAME_LENGTH,
    pattern: PRINTABLE_PATTERN,
    description: 'The event name the permission rules decide on.',
    example: 'net.example.door.opened',
  })
  @IsString({ message: 'must be a string' })
  @IsNotEmpty({ message: 'must not be empty' })
  @Printable()
  @MaxLength(MAX_EVENT_NAME_LENGTH, {
    message: `must be at most ${MAX_EVENT_NAME_LENGTH} characters`,
  })
  type!: string;

  @ApiPropertyOptional({
    format: 'date-time',
    description: 'RFC 3339. The time of receipt when absent.',
  })
  @Optional()
  @IsRFC3339({ message: 'must be an RFC 3339 (ISO-8601) date-time' })
  time?: string;

  @ApiPropertyOptional({ pattern: JSON_MEDIA_TYPE_PATTERN, example: 'application/json' })
  @Optional()
  @IsString({ message: 'must be a string' })
  @Matches(new RegExp(JSON_MEDIA_TYPE_PATTERN), {
    message: 'must be a JSON media type: the record carries the data as JSON',
  })
  datacontenttype?: string;

  @ApiPropertyOptional({ minLength: 1, maxLength: 1024, pattern: PRINTABLE_PATTERN })
  @Optional()
  @IsString({ message: 'must be a string' })
  @IsNotEmpty({ message: 'must not be empty' })
  @Printable()
  @MaxLength(1024, { message: 'must be at most 1024 characters' })
  dataschema?: string;

  @ApiPropertyOptional({ minLength: 1, maxLength: 1024, pattern: PRINTABLE_PATTERN })
  @Optional()
  @IsString({ message: 'must be a string' })
  @IsNotEmpty({ message: 'must not be empty' })
  @Printable()
  @MaxLength(1024, { message: 'must be at most 1024 characters' })
  subject?: string;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description: "A JSON object: the record's `message`. `{}` when absent.",
  })
  @Optional()
  @IsObject({ message: 'must be a JSON object' })
  data?: Record<string, unknown>;

  @ApiPropertyOptional({
    pattern: TRACEPARENT_PATTERN,
    description: "Distributed Tracing extension: the record's `traceparent` header continues it.",
  })
  @Optional()
  @IsString({ message: 'must be a string' })
  @Matches(new RegExp(TRACEPARENT_PATTERN), { message: 'must be a W3C traceparent' })
  traceparent?: string;

  @ApiPropertyOptional({ pattern: TRACESTATE_PATTERN })
  @Optional()
  @IsString({ message: 'must be a string' })
  @Matches(new RegExp(TRACESTATE_PATTERN), { message: 'must be a W3C tracestate' })
  tracestate?: string;
}
