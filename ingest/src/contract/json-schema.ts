import { z } from 'zod';
import { labelEvent } from './label';
import { predictionEvent } from './prediction';
import { referenceEvent } from './reference';

/** The wire contract as JSON Schema (draft 2020-12), for SDKs in other languages. */
export function contractJsonSchemas(): Record<string, unknown> {
  const toSchema = (schema: z.ZodType, title: string) => ({
    ...z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }),
    title,
  });
  return {
    'prediction.schema.json': toSchema(predictionEvent, 'Osprey prediction event'),
    'label.schema.json': toSchema(labelEvent, 'Osprey label event'),
    'reference.schema.json': toSchema(referenceEvent, 'Osprey reference row'),
  };
}
