import { DynamicModule, Global, Module, type Provider } from '@nestjs/common';
import type { AnySettingsGroup } from './settings-group.js';

/**
 * Hands each part of the service the slice of settings it owns, read once before Nest starts,
 * under its group's token: the rest of the code never touches process.env.
 */
@Global()
@Module({})
export class ConfigModule {
  static forRoot(
    groups: Readonly<Record<string, AnySettingsGroup>>,
    slices: Readonly<Record<string, unknown>>,
  ): DynamicModule {
    const providers: Provider[] = Object.entries(groups).map(([key, group]) => ({
      provide: group.token,
      useValue: slices[key],
    }));
    return {
      module: ConfigModule,
      providers,
      exports: providers.map((provider) => (provider as { provide: symbol }).provide),
    };
  }
}
