// The filters' public face: other modules import from here, never from its files.
export { FilterRule } from './filter-rule.js';
export { FilterModule } from './filter.module.js';
export { FilterService } from './filter.service.js';
export type { EventRoute } from './rule-set.js';
export { DEFAULT_PRESETS, filterSettings, type FilterSettings } from './filter.settings.js';
export {
  InvalidRuleError,
  PresetRuleError,
  RuleConflictError,
  RuleNotFoundError,
  RulesUnavailableError,
} from './rule-errors.js';
export { CreateFilterDto } from './dto/create-filter.dto.js';
export { InMemoryRuleStore } from './rule-store.js';
