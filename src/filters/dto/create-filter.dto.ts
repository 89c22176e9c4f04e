import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';

export class CreateFilterDto {
  @ApiProperty({
    description:
      'Regular expression matched against the start of an event name; end it with $ for an exact match.',
    example: 'kytos/mef_eline\\.',
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
}
