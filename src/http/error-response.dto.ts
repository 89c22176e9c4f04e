import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class ErrorDetailDto {
  @ApiPropertyOptional({ description: 'Position of the event in a batch (0 for a single event).' })
  index?: number;

  @ApiProperty({ example: 'name' })
  field!: string;

  @ApiProperty({ example: 'name must not be empty' })
  reason!: string;
}

/** The one error shape of every endpoint. */
export class ErrorResponseDto {
  @ApiProperty({ example: 400 })
  statusCode!: number;

  @ApiProperty({ example: 'Bad Request' })
  error!: string;

  @ApiProperty({ example: 'event 2 is invalid: name must not be empty' })
  message!: string;

  @ApiPropertyOptional({ type: [ErrorDetailDto] })
  details?: ErrorDetailDto[];
}
