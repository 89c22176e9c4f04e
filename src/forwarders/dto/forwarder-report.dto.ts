import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  IsBoolean,
  IsInt,
  IsNumber,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateIf,
} from 'class-validator';
import { originalOf } from '../../json/index.js';
import { CountsByCause, DROP_CAUSES } from './counts-by-cause.decorator.js';

/** A forwarder's id: a host name or the like, a label value of every forwarder metric. */
export const FORWARDER_ID_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._:-]*$';
export const MAX_FORWARDER_ID_LENGTH = 64;
/** A NApp's run: a new one each time it starts, which is how a restart is told from a bug. */
export const RUN_PATTERN = '^[A-Za-z0-9_-]{1,64}$';
/** Counts are a NApp's since its start: a double carries them exactly up to here. */
export const MAX_COUNT = Number.MAX_SAFE_INTEGER;
/** Seconds on Kytos' loop since the NApp started: a century is plenty. */
export const MAX_LOOP_SECONDS = 3.2e9;

/** Absent is fine; null is not a value (IsOptional would let it through). */
const UnlessAbsent = ValidateIf((_report: object, value: unknown) => value !== undefined);

/** A count as the OpenAPI document states it, what `Count()` checks. */
const COUNT_SCHEMA = { type: 'integer', minimum: 0, maximum: MAX_COUNT } as const;

const COUNT_MESSAGE = `$property must be an integer from 0 to ${MAX_COUNT}`;

const LOOP_SECONDS_MESSAGE = `$property must be a number from 0 to ${MAX_LOOP_SECONDS}`;

/**
 * The body reader carries numbers of many digits as their text (exact JSON); a report's numbers are
 * plain counts, read back as numbers before they are checked.
 */
const AsNumber = Transform(({ value }: { value: unknown }) => originalOf(value));

/**
 * Each count of a map by cause read back as a number, every key of the parsed body kept (read
 * from the body itself: class-transformer's own copy leaves out a `__proto__` key), so that each
 * is checked.
 */
const AsNumbers = Transform(({ obj, key }: { obj: Record<string, unknown>; key: string }) => {
  const value = obj[key];
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? Object.fromEntries(Object.entries(value).map(([cause, count]) => [cause, originalOf(count)]))
    : value;
});

function Count(): PropertyDecorator {
  return (target, key) => {
    AsNumber(target, key);
    IsInt({ message: COUNT_MESSAGE })(target, key);
    Min(0, { message: COUNT_MESSAGE })(target, key);
    Max(MAX_COUNT, { message: COUNT_MESSAGE })(target, key);
  };
}

export class ForwarderParamsDto {
  @ApiProperty({
    description:
      "The forwarder's id (the NApp's KAFKA_EVENTS_FORWARDER_ID, by default its host's name): the `forwarder` label of its metrics.",
    example: 'kytos-1',
    pattern: FORWARDER_ID_PATTERN,
    maxLength: MAX_FORWARDER_ID_LENGTH,
  })
  @MaxLength(MAX_FORWARDER_ID_LENGTH, {
    message: `$property must be at most ${MAX_FORWARDER_ID_LENGTH} characters`,
  })
  @Matches(new RegExp(FORWARDER_ID_PATTERN), {
    message:
      '$property must start with a letter or digit and hold only letters, digits, ".", "_", ":" and "-"',
  })
  id!: string;
}

/** A NApp's counters since it started, as it reports them every few seconds. */
export class ForwarderReportDto {
  @ApiProperty({
    description:
      "The NApp's run, new at each start: within a run every counter only grows (a report that counts less is refused with 409); a new run starts its counters from 0 and the service adds them to the previous runs'.",
    example: '3f2a9c1e0b7d4e2f8a6c5b4d3e2f1a0b',
    pattern: RUN_PATTERN,
  })
  @IsString({ message: '$property must be a string' })
  @Matches(new RegExp(RUN_PATTERN), {
    message: '$property must be 1 to 64 letters, digits, "_" or "-"',
  })
  run!: string;

  @ApiProperty({
    ...COUNT_SCHEMA,
    description: 'Events the service acknowledged (2xx).',
    example: 1520,
  })
  @Count()
  forwarded!: number;

  @ApiProperty({
    type: 'object',
    description: `Events dropped, by cause (${DROP_CAUSES.join(', ')}); a cause left out counts 0.`,
    properties: Object.fromEntries(DROP_CAUSES.map((cause) => [cause, COUNT_SCHEMA])),
    additionalProperties: false,
    example: { queue_full: 0, rejected: 1, too_large: 2, shutdown: 0, unserializable: 0 },
  })
  @AsNumbers
  @CountsByCause(MAX_COUNT)
  dropped!: Record<string, number>;

  @ApiProperty({
    ...COUNT_SCHEMA,
    description: 'Events waiting in the NApp to be sent.',
    example: 3,
  })
  @Count()
  queue_depth!: number;

  @ApiProperty({
    type: 'number',
    description: "Seconds the NApp's listener took on Kytos' event loop.",
    example: 0.82,
    minimum: 0,
    maximum: MAX_LOOP_SECONDS,
  })
  @AsNumber
  @IsNumber({ allowNaN: false, allowInfinity: false }, { message: LOOP_SECONDS_MESSAGE })
  @Min(0, { message: LOOP_SECONDS_MESSAGE })
  @Max(MAX_LOOP_SECONDS, { message: LOOP_SECONDS_MESSAGE })
  loop_seconds!: number;

  @ApiPropertyOptional({
    ...COUNT_SCHEMA,
    description:
      "Events Kytos handed the NApp's listener (loop_seconds over them: the cost of one).",
    example: 4100,
  })
  @UnlessAbsent
  @Count()
  events_seen?: number;

  @ApiPropertyOptional({
    description:
      "The NApp's last report, at its shutdown: the service forgets this forwarder (its series go), so a NApp stopped on purpose does not show as silent.",
    example: false,
  })
  @UnlessAbsent
  @IsBoolean({ message: '$property must be true or false' })
  final?: boolean;

  @ApiPropertyOptional({
    ...COUNT_SCHEMA,
    description: "Events not sent because the service's preset rules deny them (not dropped).",
    example: 2500,
  })
  @UnlessAbsent
  @Count()
  filtered_locally?: number;
}
