import { ApiProperty } from '@nestjs/swagger';
import { IsNotEmpty, IsString, MaxLength } from 'class-validator';

export class DryRunQueryDto {
  @ApiProperty({ description: 'The event name to decide on.', example: 'kytos/topology.link_up' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(256)
  name!: string;
}

export class DecisionDto {
  @ApiProperty({ example: 'kytos/topology.link_up' })
  name!: string;

  @ApiProperty({ description: 'Whether an event of this name would be published.' })
  published!: boolean;

  @ApiProperty({ type: [String], description: 'Ids of the allow rules that match.' })
  allowedBy!: string[];

  @ApiProperty({ type: [String], description: 'Ids of the deny rules that match.' })
  deniedBy!: string[];

  @ApiProperty({
    type: String,
    nullable: true,
    description:
      'The topic it would be published to (the most specific matching allow rule with a topic, else KAFKA_TOPIC); null when it would not be published.',
    example: 'event_logs',
  })
  topic!: string | null;

  @ApiProperty({
    type: String,
    nullable: true,
    description:
      'The JSON Pointer its record key would be read from; null when no matching allow rule keys it (KAFKA_RECORD_KEY decides).',
    example: null,
  })
  key!: string | null;
}
