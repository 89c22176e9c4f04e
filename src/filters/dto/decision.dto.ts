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
}
