import { describe, expect, it } from 'vitest';
import type { ModelSignature } from '../inference/session';
import { resolveInputSpec, specFeatures } from './input-spec';

const one: ModelSignature = {
  inputs: [{ name: 'x', type: 'float32', shape: ['N', 3] }],
  outputs: [],
};
const two: ModelSignature = {
  inputs: [
    { name: 'dense', type: 'float32', shape: ['N', 2] },
    { name: 'flag', type: 'int64', shape: ['N'] },
  ],
  outputs: [],
};

describe('resolveInputSpec', () => {
  it('turns a feature list into the spec of a single-input model', () => {
    expect(resolveInputSpec(one, ['a', 'b', 'c'])).toEqual({
      inputs: [{ name: 'x', features: ['a', 'b', 'c'] }],
    });
  });

  it('checks widths, names, duplicates and coverage, naming the field', () => {
    expect(() => resolveInputSpec(one, ['a', 'b'])).toThrow(
      'input_spec.inputs.0.features: input "x" takes 3 values per row, 2 features given',
    );
    expect(() => resolveInputSpec(one, ['a', 'a', 'b'])).toThrow('feature "a" is listed twice');
    expect(() => resolveInputSpec(two, ['a'])).toThrow(
      /^features: the model has 2 inputs \(dense, flag\)/,
    );
    expect(() =>
      resolveInputSpec(two, { inputs: [{ name: 'dense', features: ['a', 'b'] }] }),
    ).toThrow('input_spec: no features given for input(s) flag');
    expect(() =>
      resolveInputSpec(two, {
        inputs: [
          { name: 'flag', features: ['a', 'b'] },
          { name: 'dense', features: ['c', 'd'] },
        ],
      }),
    ).toThrow(/input_spec\.inputs\.0\.features: input "flag" has shape \[N\]/);
    const spec = {
      inputs: [
        { name: 'dense', features: ['a', 'b'] },
        { name: 'flag', features: ['a'] },
      ],
    };
    expect(resolveInputSpec(two, spec)).toEqual(spec);
    expect(specFeatures(spec)).toEqual(['a', 'b']);
  });
});
