import { ApiProperty } from '@nestjs/swagger';

/** 200, `kafka` delivery mode: every permitted event is acknowledged by Kafka. */
export class IngestResultDto {
  @ApiProperty({ description: 'Events in the request.', example: 3 })
  accepted!: number;

  @ApiProperty({ description: 'Events acknowledged by Kafka.', example: 2 })
  published!: number;

  @ApiProperty({ description: 'Events no rule allows; not sent.', example: 1 })
  filtered!: number;

  @ApiProperty({
    description:
      'Events whose id this instance published within DEDUPE_WINDOW_SECONDS (a retry); not sent again.',
    example: 0,
  })
  duplicates!: number;
}

/** 202, `spool` delivery mode: every permitted event is on the local disk, on its way to Kafka. */
export class SpooledResultDto {
  @ApiProperty({ description: 'Events in the request.', example: 3 })
  accepted!: number;

  @ApiProperty({ description: 'Events written (fsynced) to the spool.', example: 2 })
  spooled!: number;

  @ApiProperty({ description: 'Events no rule allows; not kept.', example: 1 })
  filtered!: number;

  @ApiProperty({
    description:
      'Events whose id this instance spooled within DEDUPE_WINDOW_SECONDS (a retry); not kept again.',
    example: 0,
  })
  duplicates!: number;
}
