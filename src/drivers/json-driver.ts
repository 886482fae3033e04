import { Type } from '@sinclair/typebox';
import { ValueErrorType } from '@sinclair/typebox/errors';
import { Value } from '@sinclair/typebox/value';
import { schemaProblem } from '../i18n/schema-problem.ts';
import type { Message } from '../i18n/translated-error.ts';

// JSON definitions carry the same data as TypeScript ones, without capability functions.
const JsonDriverSchema = Type.Object(
  {
    id: Type.String({ pattern: '^[a-z0-9][a-z0-9-]*$' }),
    name: Type.String({ minLength: 1 }),
    priority: Type.Integer(),
    match: Type.Object(
      {
        usb: Type.Optional(
          Type.Array(Type.Object({ vendorId: Type.Integer(), productId: Type.Optional(Type.Integer()) })),
        ),
        volumeLabels: Type.Optional(Type.Array(Type.String())),
        markerPaths: Type.Optional(Type.Array(Type.String())),
        fileNames: Type.Optional(Type.Boolean()),
        any: Type.Optional(Type.Boolean()),
      },
      { additionalProperties: false },
    ),
    recordingRoots: Type.Optional(Type.Array(Type.String())),
    fileNames: Type.Optional(Type.Array(Type.String())),
    creationTime: Type.Union([Type.Literal('utc'), Type.Literal('local')]),
    fileSystemTime: Type.Optional(Type.Union([Type.Literal('utc'), Type.Literal('local')])),
  },
  { additionalProperties: false },
);

/** What is wrong with a parsed JSON driver definition, or null when it is one. */
export function jsonDriverProblem(parsed: unknown): Message | null {
  const problem = Value.Errors(JsonDriverSchema, parsed).First();
  return problem ? schemaProblem({ ...problem, kind: ValueErrorType[problem.type] }) : null;
}
