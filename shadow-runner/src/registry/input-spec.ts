import { RegistryError, type InputSpec } from '../api';
import type { ModelSignature } from '../inference/session';

/**
 * Checks that the input spec feeds exactly the model's inputs, each a [batch, k] tensor (or a
 * [batch] tensor for one feature) whose fixed width, if declared, equals its feature count.
 * A single-input model may be given just a feature list (`--features`).
 */
export function resolveInputSpec(
  signature: ModelSignature,
  given: InputSpec | string[],
): InputSpec {
  const spec: InputSpec = Array.isArray(given)
    ? { inputs: [{ name: singleInput(signature), features: given }] }
    : given;
  const declared = new Map(signature.inputs.map((i) => [i.name, i]));
  const seen = new Set<string>();
  for (const [i, entry] of spec.inputs.entries()) {
    const field = `input_spec.inputs.${i}`;
    const input = declared.get(entry.name);
    if (!input)
      throw new RegistryError(
        400,
        `the model has no input "${entry.name}" (it has ${[...declared.keys()].join(', ')})`,
        `${field}.name`,
      );
    if (seen.has(entry.name))
      throw new RegistryError(400, `input "${entry.name}" is described twice`, `${field}.name`);
    seen.add(entry.name);
    const duplicate = entry.features.find((f, j) => entry.features.indexOf(f) !== j);
    if (duplicate)
      throw new RegistryError(400, `feature "${duplicate}" is listed twice`, `${field}.features`);
    const n = entry.features.length;
    const rank = input.shape.length;
    const width = input.shape[1];
    if (rank === 1 ? n !== 1 : rank !== 2)
      throw new RegistryError(
        400,
        `input "${input.name}" has shape [${input.shape.join(', ')}]; the runner feeds [batch, features] or, for one feature, [batch]`,
        `${field}.features`,
      );
    if (rank === 2 && typeof width === 'number' && width !== n)
      throw new RegistryError(
        400,
        `input "${input.name}" takes ${width} values per row, ${n} features given`,
        `${field}.features`,
      );
    if (!['float32', 'float64', 'int32', 'int64'].includes(input.type))
      throw new RegistryError(
        400,
        `input "${input.name}" is ${input.type}; features can feed float32, float64, int32 and int64 inputs`,
        `${field}.name`,
      );
  }
  const missing = signature.inputs.filter((i) => !seen.has(i.name)).map((i) => i.name);
  if (missing.length)
    throw new RegistryError(
      400,
      `no features given for input(s) ${missing.join(', ')}`,
      'input_spec',
    );
  return spec;
}

function singleInput(signature: ModelSignature): string {
  if (signature.inputs.length !== 1)
    throw new RegistryError(
      400,
      `the model has ${signature.inputs.length} inputs (${signature.inputs.map((i) => i.name).join(', ')}): give input_spec with features per input`,
      'features',
    );
  return signature.inputs[0]!.name;
}

/** Every logged feature the spec reads, in first-use order. */
export function specFeatures(spec: InputSpec): string[] {
  return [...new Set(spec.inputs.flatMap((i) => i.features))];
}
