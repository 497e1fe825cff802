import { Ajv2020 } from 'ajv/dist/2020';
import { formatIssue } from './errors';
import { timestampToMs } from './fields';
import { RESERVED_NAMES } from './limits';
import { contractJsonSchemas } from './json-schema';
import { hasJoinKey, labelEvent, type LabelEvent } from './label';
import { hasOutcome, predictionEvent, type PredictionEvent } from './prediction';
import { referenceEvent, type ReferenceEvent } from './reference';

export type Validation<T> = { ok: true; value: T } | { ok: false; error: string };

/**
 * Validates one event against the contract. The zod schema is the contract; its JSON Schema export,
 * compiled by ajv, is a ~20x faster screen for the common case (valid events). Whatever the screen
 * does not accept goes to zod, which either accepts it or names the field and the problem — so the
 * answer is always zod's, and the screen only decides how fast we get it.
 */
export type Validator<T> = (input: unknown) => Validation<T>;

const ajv = new Ajv2020({ strict: false, validateFormats: false, allErrors: false });
const schemas = contractJsonSchemas();

function withTimestamp<T extends { timestamp?: number }>(
  input: Record<string, unknown>,
): T | undefined {
  if (input.timestamp === undefined) return input as T;
  const ms = timestampToMs(input.timestamp as string | number);
  return ms === undefined ? undefined : ({ ...input, timestamp: ms } as T);
}

/** JSON Schema has no word for finite: `1e309` parses as Infinity, which the schema takes. */
function allFinite(value: unknown): boolean {
  if (typeof value === 'number') return Number.isFinite(value);
  if (value === null || typeof value !== 'object') return true;
  if (Array.isArray(value)) return value.every(allFinite);
  for (const key in value) if (!allFinite((value as Record<string, unknown>)[key])) return false;
  return true;
}

/**
 * zod builds its output by assignment, which drops an own `__proto__` key without a word: the
 * maps are checked for it before zod sees them.
 */
function reservedKey(input: unknown): string | undefined {
  if (input === null || typeof input !== 'object') return undefined;
  for (const map of ['features', 'tags', 'embeddings', 'text'] as const) {
    const value = (input as Record<string, unknown>)[map];
    if (value === null || typeof value !== 'object') continue;
    for (const name of RESERVED_NAMES)
      if (Object.hasOwn(value, name)) return `${map}.${name}: '${name}' is a reserved name`;
  }
  return undefined;
}

function createValidator<T extends { timestamp?: number }>(
  jsonSchema: unknown,
  schema: {
    safeParse(
      input: unknown,
    ): { success: true; data: T } | { success: false; error: { issues: unknown[] } };
  },
  refine: (value: Record<string, unknown>) => boolean,
): Validator<T> {
  const screen = ajv.compile(jsonSchema as object);
  return (input) => {
    if (screen(input) && refine(input as Record<string, unknown>) && allFinite(input)) {
      const value = withTimestamp<T>(input as Record<string, unknown>);
      if (value) return { ok: true, value };
    }
    const reserved = reservedKey(input);
    if (reserved) return { ok: false, error: reserved };
    const parsed = schema.safeParse(input);
    if (parsed.success) return { ok: true, value: parsed.data };
    return {
      ok: false,
      error: formatIssue(parsed.error.issues[0] as Parameters<typeof formatIssue>[0], input),
    };
  };
}

export const validatePrediction: Validator<PredictionEvent> = createValidator<PredictionEvent>(
  schemas['prediction.schema.json'],
  predictionEvent,
  hasOutcome,
);

export const validateLabel: Validator<LabelEvent> = createValidator<LabelEvent>(
  schemas['label.schema.json'],
  labelEvent,
  hasJoinKey,
);

export const validateReference: Validator<ReferenceEvent> = createValidator<ReferenceEvent>(
  schemas['reference.schema.json'],
  referenceEvent,
  () => true,
);
