import { ApiProperty } from '@nestjs/swagger';

export class IngestResultDto {
  @ApiProperty({ description: 'Events in the request.', example: 3 })
  accepted!: number;

  @ApiProperty({ description: 'Events acknowledged by Kafka.', example: 2 })
  published!: number;

  @ApiProperty({ description: 'Events no rule allows; not sent.', example: 1 })
  filtered!: number;
}
