import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { ValueErrorType } from '@sinclair/typebox/errors';
import { Value } from '@sinclair/typebox/value';
import type { SchemaProblem } from '../i18n/schema-problem.ts';
import { ConfigSchema } from './schema.ts';

// Run from the sources, TypeBox checks the configuration. The build writes this module's compiled form
// anew as the same check in one plain function (writeCompiledCheck): loading TypeBox is some 200
// modules, most of what every command spent starting. TypeBox is then loaded only to say what is wrong.

/** The first way `candidate` breaks the configuration schema, or undefined when it is a valid configuration. */
export function firstConfigProblem(candidate: unknown): SchemaProblem | undefined {
  const error = Value.Errors(ConfigSchema, candidate).First();
  return error && { ...error, kind: ValueErrorType[error.type] };
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
  const { ValueErrorType } = require('@sinclair/typebox/errors');
  const { ConfigSchema } = require('./schema.js');
  const error = Value.Errors(ConfigSchema, candidate).First();
  return (
    (error && { ...error, kind: ValueErrorType[error.type] }) ?? {
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
