// Loaded with `node --import` by `npm run test:unit`: lets Node run the TypeScript sources as they
// are, each file transpiled by swc when first imported, so that no tsc build of the whole tree comes
// first. Node's own type stripping cannot do this: Nest's dependency injection needs the decorators
// and their design-time metadata, which tsc emits and swc emits likewise. Nothing is type-checked
// here; tsc still does that in `npm run build`, `npm test` and CI's lint.
import { transformSync, type Options } from '@swc/core';
import { existsSync, readFileSync } from 'node:fs';
import module from 'node:module';
import { fileURLToPath } from 'node:url';

interface ResolveResult {
  url: string;
  format?: string | null;
  shortCircuit?: boolean;
}
interface LoadResult {
  format: string;
  source?: string | ArrayBuffer | NodeJS.TypedArray | null;
  shortCircuit?: boolean;
}
/** Node 24's synchronous, in-thread hooks; @types/node (pinned at 20) does not declare them. */
interface SyncHooks {
  resolve(
    specifier: string,
    context: { parentURL?: string },
    nextResolve: (specifier: string, context?: object) => ResolveResult,
  ): ResolveResult;
  load(
    url: string,
    context: { format?: string | null },
    nextLoad: (url: string, context?: object) => LoadResult,
  ): LoadResult;
}
const { registerHooks } = module as unknown as { registerHooks(hooks: SyncHooks): void };

/** tsconfig.json stays the one home of the language settings swc must mirror. */
const compilerOptions = (
  JSON.parse(readFileSync(new URL('../tsconfig.json', import.meta.url), 'utf8')) as {
    compilerOptions: {
      target: NonNullable<Options['jsc']>['target'];
      experimentalDecorators?: boolean;
      emitDecoratorMetadata?: boolean;
      useDefineForClassFields?: boolean;
    };
  }
).compilerOptions;

const swcOptions: Options = {
  swcrc: false,
  configFile: false,
  sourceMaps: 'inline',
  module: { type: 'es6' },
  jsc: {
    parser: { syntax: 'typescript', decorators: compilerOptions.experimentalDecorators === true },
    target: compilerOptions.target,
    transform: {
      legacyDecorator: compilerOptions.experimentalDecorators === true,
      decoratorMetadata: compilerOptions.emitDecoratorMetadata === true,
      // tsc's default for the targets since ES2022.
      useDefineForClassFields: compilerOptions.useDefineForClassFields ?? true,
    },
  },
};

/** Our own TypeScript, never a dependency's. */
function isOwnTypeScript(url: string): boolean {
  return url.startsWith('file:') && url.endsWith('.ts') && !url.includes('/node_modules/');
}

registerHooks({
  // The sources import each other as `./x.js` (what tsc's output is called), the file is `./x.ts`.
  resolve(specifier, context, nextResolve) {
    const { parentURL } = context;
    if (parentURL && isOwnTypeScript(parentURL) && /^\.\.?\/.*\.js$/.test(specifier)) {
      const source = new URL(specifier.replace(/\.js$/, '.ts'), parentURL);
      if (existsSync(source)) return { url: source.href, format: 'module', shortCircuit: true };
    }
    return nextResolve(specifier, context);
  },
  load(url, context, nextLoad) {
    if (!isOwnTypeScript(url)) return nextLoad(url, context);
    const filename = fileURLToPath(url);
    const { code } = transformSync(readFileSync(filename, 'utf8'), { ...swcOptions, filename });
    return { format: 'module', source: code, shortCircuit: true };
  },
});
