import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  IsNotEmpty,
  IsObject,
  IsRFC3339,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  MaxLength,
} from 'class-validator';
import { TRACEPARENT_PATTERN } from '../../tracing/index.js';
import { Printable, PRINTABLE_PATTERN } from './printable.decorator.js';

export const MAX_EVENT_NAME_LENGTH = 256;

/** One event as Kytos posts it. */
export class KytosEventDto {
  @ApiProperty({
    example: 'kytos/topology.link_up',
    minLength: 1,
    maxLength: MAX_EVENT_NAME_LENGTH,
    pattern: PRINTABLE_PATTERN,
  })
  @IsString({ message: 'must be a string' })
  @IsNotEmpty({ message: 'must not be empty' })
  @Printable()
  @MaxLength(MAX_EVENT_NAME_LENGTH, {
    message: `must be at most ${MAX_EVENT_NAME_LENGTH} characters`,
  })
  name!: string;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: "The event's content, as Kytos serialized it.",
    example: {
      link: {
        id: 'cf0f4071be4',
        enabled: true,
        endpoint_a: { switch: '00:00:00:00:00:00:00:01', port_number: 3, name: 's1-eth3' },
      },
    },
  })
  @IsObject({ message: 'must be a JSON object' })
  content!: Record<string, unknown>;

  @ApiPropertyOptional({
    format: 'uuid',
    nullable: true,
    description: 'Generated (uuid4) when absent or null.',
    example: '0f6f0d1e-2a9f-4f5e-9a51-3f7e2c1b9a01',
  })
  @IsOptional()
  @IsUUID('all', { message: 'must be a UUID' })
  id?: string;

  @ApiPropertyOptional({
    format: 'date-time',
    nullable: true,
    description: 'RFC 3339 (ISO-8601), UTC. The time of receipt when absent or null.',
    example: '2026-02-10T14:00:01.104512+00:00',
  })
  @IsOptional()
  // RFC 3339 is the date-time of JSON Schema, so what openapi.json promises is exactly what is taken.
  @IsRFC3339({ message: 'must be an RFC 3339 (ISO-8601) date-time' })
  timestamp?: string;

  @ApiPropertyOptional({
    pattern: TRACEPARENT_PATTERN,
    nullable: true,
    description:
      "The W3C traceparent of the event's trace in Kytos (its APM trace_parent); the record's " +
      "`traceparent` header continues it. Without it, the request's own traceparent header is.",
    example: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
  })
  @IsOptional()
  @Matches(new RegExp(TRACEPARENT_PATTERN), {
    message: 'must be a W3C traceparent (00-<32 hex>-<16 hex>-<2 hex>)',
  })
  trace_parent?: string;
}
