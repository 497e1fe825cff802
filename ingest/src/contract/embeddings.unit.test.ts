import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../../test/support/events';
import { FLOAT32_MAX } from './embeddings';
import { LIMITS } from './limits';
import { predictionEvent } from './prediction';
import { validatePrediction, validateReference } from './validator';

const vector = (n: number, fill = 0.25) => Array.from({ length: n }, () => fill);

const prediction = {
  model: 'search',
  version: 'v1',
  features: { lang: 'en' },
  prediction: 0.7,
  embeddings: { query: [0.1, -0.2, 0.3], doc: vector(384) },
  text: { prompt: 'where is the station', answer: '' },
};
const reference = { model: 'search', version: 'v1', features: {}, embeddings: { query: [1, 2] } };

describe('embeddings and text on prediction and reference events', () => {
  it('accepts vectors up to the dimension limit and texts up to the length limit', () => {
    expect(validatePrediction(prediction)).toEqual({ ok: true, value: prediction });
    const widest = {
      ...prediction,
      embeddings: { e: vector(LIMITS.embeddingDimension, -FLOAT32_MAX) },
      text: { t: 'x'.repeat(LIMITS.textLength) },
    };
    expect(validatePrediction(widest)).toMatchObject({ ok: true });
    expect(validateReference({ ...reference, text: { prompt: 'hi' } })).toMatchObject({
      ok: true,
    });
  });

  const dimension = LIMITS.embeddingDimension;
  it.each([
    [
      'a vector over the dimension limit',
      { embeddings: { query: vector(dimension + 1) } },
      `embeddings.query: must have at most ${dimension} dimensions (LIMITS.embeddingDimension)`,
    ],
    ['an empty vector', { embeddings: { query: [] } }, 'embeddings.query: must not be empty'],
    [
      'Infinity in a vector (1e309 in JSON)',
      { embeddings: { query: [0, Infinity] } },
      'embeddings.query.1: must be a finite number (not NaN or ±Infinity)',
    ],
    [
      'NaN in a vector',
      { embeddings: { query: [NaN] } },
      'embeddings.query.0: must be a finite number (not NaN or ±Infinity)',
    ],
    [
      'a number beyond float32',
      { embeddings: { query: [1, 1e39] } },
      `embeddings.query.1: must fit in a float32 (between -${FLOAT32_MAX} and ${FLOAT32_MAX})`,
    ],
    [
      'a string in a vector',
      { embeddings: { query: [0.1, '0.2'] } },
      'embeddings.query.1: must be a number',
    ],
    [
      'a null in a vector',
      { embeddings: { query: [null] } },
      'embeddings.query.0: must be a number',
    ],
    [
      'a vector that is not an array',
      { embeddings: { query: 0.5 } },
      'embeddings.query: must be an array of numbers',
    ],
    [
      'embeddings that are not an object',
      { embeddings: [[1, 2]] },
      'embeddings: must be an object of embedding name to array of numbers',
    ],
    [
      'an empty embedding name',
      { embeddings: { '': [1] } },
      'embeddings: embedding names must not be empty',
    ],
    [
      'an embedding name over the name limit',
      { embeddings: { ['n'.repeat(LIMITS.nameLength + 1)]: [1] } },
      `embeddings: embedding names are at most ${LIMITS.nameLength} characters`,
    ],
    [
      'too many embeddings',
      {
        embeddings: Object.fromEntries(
          Array.from({ length: LIMITS.embeddingsPerEvent + 1 }, (_, i) => [`e${i}`, [1]]),
        ),
      },
      `embeddings: must have at most ${LIMITS.embeddingsPerEvent} entries`,
    ],
    [
      'the reserved name __proto__ as an embedding',
      { embeddings: JSON.parse('{"__proto__": [1]}') as unknown },
      "embeddings.__proto__: '__proto__' is a reserved name",
    ],
    [
      'a text over the length limit',
      { text: { prompt: 'x'.repeat(LIMITS.textLength + 1) } },
      `text.prompt: must be at most ${LIMITS.textLength} characters`,
    ],
    ['a text that is a number', { text: { prompt: 5 } }, 'text.prompt: must be a string'],
    ['a text that is null', { text: { prompt: null } }, 'text.prompt: must be a string'],
    [
      'text that is a string, not an object',
      { text: 'hello' },
      'text: must be an object of text name to string',
    ],
    ['an empty text name', { text: { '': 'x' } }, 'text: text names must not be empty'],
    [
      'too many texts',
      {
        text: Object.fromEntries(
          Array.from({ length: LIMITS.textsPerEvent + 1 }, (_, i) => [`t${i}`, 'x']),
        ),
      },
      `text: must have at most ${LIMITS.textsPerEvent} entries`,
    ],
    [
      'the reserved name __proto__ as a text',
      { text: JSON.parse('{"__proto__": "x"}') as unknown },
      "text.__proto__: '__proto__' is a reserved name",
    ],
  ])('rejects %s, naming the field', (_name, change, error) => {
    expect(validatePrediction({ ...prediction, ...change })).toEqual({ ok: false, error });
    expect(validateReference({ ...reference, ...change })).toEqual({ ok: false, error });
  });

  it('gives exactly zod’s verdict on mutated vectors and texts (the fast screen changes nothing)', () => {
    const rand = mulberry32(18);
    const values = [0, -1.5, 1e39, -1e39, Infinity, NaN, '1', null, [], [1], {}, 'x', ''];
    for (let i = 0; i < 1_500; i++) {
      const event = structuredClone(prediction) as Record<string, unknown>;
      const embeddings = event.embeddings as Record<string, unknown[]>;
      const texts = event.text as Record<string, unknown>;
      const value = values[Math.floor(rand() * values.length)];
      const where = rand();
      if (where < 0.4) embeddings.query![Math.floor(rand() * 3)] = value;
      else if (where < 0.6) embeddings[`e${Math.floor(rand() * 3)}`] = value as unknown[];
      else if (where < 0.8) texts.prompt = value;
      else event[rand() < 0.5 ? 'embeddings' : 'text'] = value;
      const fast = validatePrediction(event);
      const zod = predictionEvent.safeParse(event);
      expect(fast.ok).toBe(zod.success);
      if (fast.ok && zod.success) expect(fast.value).toEqual(zod.data);
    }
  });
});
