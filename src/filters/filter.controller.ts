import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  applyDecorators,
  Param,
  Post,
  Query,
  UseGuards,
} from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBody,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiExtraModels,
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiServiceUnavailableResponse,
  ApiTags,
  ApiBearerAuth,
  ApiSecurity,
  ApiUnauthorizedResponse,
  ApiUnsupportedMediaTypeResponse,
  getSchemaPath,
} from '@nestjs/swagger';
import { ADMIN_TOKEN, AdminAuthGuard } from '../auth/index.js';
import { CreateAllowRuleDto, CreateDenyRuleDto, CreateFilterDto } from './dto/create-filter.dto.js';
import { DecisionDto, DryRunQueryDto } from './dto/decision.dto.js';
import { FilterRuleDto } from './dto/filter-rule.dto.js';
import { FilterService } from './filter.service.js';
import type { FilterRule } from './filter-rule.js';

const RULE_MAP_SCHEMA = {
  type: 'object',
  description: 'Rules keyed by their id.',
  additionalProperties: { $ref: getSchemaPath(FilterRuleDto) },
} as const;

/** Reads need the admin token only with AUTH_READS_OPEN=false: the bearer token is optional. */
const ReadAccess = () => applyDecorators(ApiBearerAuth(ADMIN_TOKEN), ApiSecurity({}));

@ApiTags('filters')
@UseGuards(AdminAuthGuard)
@ApiUnauthorizedResponse({
  description: 'the admin token is missing or wrong',
})
@ApiExtraModels(FilterRuleDto)
@Controller('filters')
export class FilterController {
  constructor(private readonly filters: FilterService) {}

  @Get()
  @ReadAccess()
  @ApiOperation({ summary: 'List the permission rules (presets and operator rules).' })
  @ApiOkResponse({ schema: RULE_MAP_SCHEMA })
  list(): Record<string, FilterRuleDto> {
    return this.mapOf(this.filters.list());
  }

  @Get('dry-run')
  @ReadAccess()
  @ApiOperation({ summary: 'Would an event of this name be published, and which rules decide?' })
  @ApiOkResponse({ type: DecisionDto })
  @ApiBadRequestResponse({ description: 'name missing, empty or too long' })
  dryRun(@Query() query: DryRunQueryDto): DecisionDto {
    const { published, allowedBy, deniedBy, topic, key } = this.filters.explain(query.name);
    return {
      name: query.name,
      published,
      allowedBy,
      deniedBy,
      topic: topic ?? null,
      key: key?.text ?? null,
    };
  }

  @Get(':id')
  @ReadAccess()
  @ApiOperation({ summary: 'One rule.' })
  @ApiOkResponse({ schema: RULE_MAP_SCHEMA })
  @ApiNotFoundResponse()
  get(@Param('id') id: string): Record<string, FilterRuleDto> {
    return this.mapOf([this.filters.get(id)]);
  }

  @Post()
  @ApiBearerAuth(ADMIN_TOKEN)
  @ApiExtraModels(CreateAllowRuleDto, CreateDenyRuleDto)
  // anyOf: an allow rule may leave its action out, so the action cannot tell the two apart.
  @ApiBody({
    schema: {
      anyOf: [
        { $ref: getSchemaPath(CreateAllowRuleDto) },
        { $ref: getSchemaPath(CreateDenyRuleDto) },
      ],
    },
  })
  @ApiOperation({
    summary: 'Add a rule that allows (or denies) the events whose name matches the pattern.',
  })
  @ApiCreatedResponse({ schema: RULE_MAP_SCHEMA })
  @ApiBadRequestResponse({
    description:
      'invalid or too long pattern, one that the whole rule set cannot compile with, or a topic or key that cannot be used (a topic Kafka refuses, a key that is not a JSON Pointer, either on a deny rule)',
  })
  @ApiConflictResponse({
    description: 'the same rule exists already, or the rule limit is reached',
  })
  @ApiUnsupportedMediaTypeResponse()
  @ApiServiceUnavailableResponse({
    description: 'rules still loading, or Kafka unavailable',
  })
  async create(@Body() body: CreateFilterDto): Promise<Record<string, FilterRuleDto>> {
    const rule = await this.filters.create(
      body.pattern,
      body.description ?? '',
      body.action ?? 'allow',
      { topic: body.topic, key: body.key },
    );
    return this.mapOf([rule]);
  }

  @Delete(':id')
  @ApiBearerAuth(ADMIN_TOKEN)
  @HttpCode(200)
  @ApiOperation({ summary: 'Delete an operator rule.' })
  @ApiOkResponse({ schema: RULE_MAP_SCHEMA, description: 'the removed rule' })
  @ApiForbiddenResponse({ description: 'presets cannot be deleted' })
  @ApiNotFoundResponse()
  @ApiServiceUnavailableResponse({
    description: 'rules still loading, or Kafka unavailable',
  })
  async remove(@Param('id') id: string): Promise<Record<string, FilterRuleDto>> {
    return this.mapOf([await this.filters.remove(id)]);
  }

  private mapOf(rules: FilterRule[]): Record<string, FilterRuleDto> {
    return FilterRuleDto.mapOf(rules, (id) => this.filters.hitsOf(id));
  }
}
