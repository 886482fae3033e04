import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { Value } from '@sinclair/typebox/value';
import { ConfigSchema } from './schema.ts';

// Run from the sources, TypeBox checks the configuration. The build writes this module's compiled form
// anew as the same check in one plain function (writeCompiledCheck): loading TypeBox is some 200
// modules, most of what every command spent starting. TypeBox is then loaded only to say what is wrong.

/** What `loadConfig` needs to name a wrong setting. */
export interface ConfigProblem {
  path: string;
  message: string;
  schema: { description?: string };
  value: unknown;
}

/** The first way `candidate` breaks the configuration schema, or undefined when it is a valid configuration. */
export function firstConfigProblem(candidate: unknown): ConfigProblem | undefined {
  return Value.Errors(ConfigSchema, candidate).First();
}

/** Replaces the compiled module (dist/src/config/config-check.js) with the precompiled check. */
export function writeCompiledCheck(file = fileURLToPath(import.meta.url)): void {
  const check = TypeCompiler.Code(ConfigSchema, [], { language: 'javascript' });
  writeFileSync(
    file,
    `// Written by the build (scripts/build.sh) from src/config/schema.ts; see src/config/config-check.ts.
import { createRequire } from 'node:module';

const check = (function () {
${check}
})();

export function firstConfigProblem(candidate) {
  if (check(candidate)) return undefined;
  const require = createRequire(import.meta.url);
  const { Value } = require('@sinclair/typebox/value');
  const { ConfigSchema } = require('./schema.js');
  return (
    Value.Errors(ConfigSchema, candidate).First() ?? {
      path: '',
      message: 'does not match the configuration schema',
      schema: {},
      value: candidate,
    }
  );
}
`,
  );
}
