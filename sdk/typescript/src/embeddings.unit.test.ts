import { afterEach, describe, expect, it } from 'vitest';
import { startFakeCollector } from '../test/fake-collector';
import { Osprey, type OspreyError } from './index';

const API_KEY = 'osk_embeddings_key_123456789';
const opened: Osprey[] = [];
afterEach(async () => {
  for (const osprey of opened.splice(0)) await osprey.close(50);
});

async function client() {
  const collector = await startFakeCollector();
  const errors: OspreyError[] = [];
  const osprey = new Osprey({
    url: collector.url,
    apiKey: API_KEY,
    onError: (e) => errors.push(e),
  });
  opened.push(osprey);
  return { collector, osprey, errors };
}

const base = { model: 'search', version: 'v1', prediction: 1 };

describe('embeddings and text in log() and logReference()', () => {
  it('sends vectors (arrays and typed arrays, copied at log time) and texts (cut to 10,000 characters)', async () => {
    const { collector, osprey } = await client();
    const reused = new Float32Array([0.5, -0.25, 3]);
    osprey.log({
      ...base,
      embeddings: { query: reused, doc: [1, 2] },
      text: { prompt: 'hello', long: 'y'.repeat(9_999) + '😀' + 'z' },
    });
    reused.fill(9); // the caller's next request reuses the buffer
    osprey.log({ ...base, embeddings: null as never, text: undefined });
    await osprey.flush();
    const [first, second] = collector.received();
    expect(first!.embeddings).toEqual({ query: [0.5, -0.25, 3], doc: [1, 2] });
    const long = (first!.text as Record<string, string>).long!;
    expect(long).toBe('y'.repeat(9_999)); // not half of the emoji's surrogate pair
    expect((first!.text as Record<string, string>).prompt).toBe('hello');
    expect(second).not.toHaveProperty('embeddings');
    expect(second).not.toHaveProperty('text');
    await collector.close();
  });

  it.each([
    [
      'a non-finite number',
      { q: [0, NaN] },
      'embeddings.q.1: must be a finite number within float32 range',
    ],
    [
      'Infinity',
      { q: new Float64Array([Infinity]) },
      'embeddings.q.0: must be a finite number within float32 range',
    ],
    [
      'a number beyond float32',
      { q: [1e39] },
      'embeddings.q.0: must be a finite number within float32 range',
    ],
    [
      'a string in a vector',
      { q: [1, '2'] },
      'embeddings.q.1: must be a finite number within float32 range',
    ],
    ['an empty vector', { q: [] }, 'embeddings.q: must be an array of 1-4096 numbers'],
    [
      'a vector over 4096',
      { q: new Float32Array(4097) },
      'embeddings.q: must be an array of 1-4096 numbers',
    ],
    ['a vector that is a number', { q: 1 }, 'embeddings.q: must be an array of 1-4096 numbers'],
    [
      'embeddings that are an array',
      [[1]],
      'embeddings: must be an object of embedding name to array of numbers',
    ],
    ['an empty name', { '': [1] }, 'embeddings: names must be 1-256 characters'],
    [
      'more than 16 embeddings',
      Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`e${i}`, [1]])),
      'embeddings: must have at most 16 entries',
    ],
  ])('refuses %s, naming the field, without throwing', async (_name, embeddings, message) => {
    const { osprey, errors } = await client();
    expect(osprey.log({ ...base, embeddings: embeddings as never })).toBe('');
    expect(osprey.stats().invalid).toBe(1);
    expect(errors.map((e) => e.message)).toEqual([
      `invalid prediction event not logged: ${message}`,
    ]);
  });

  it.each([
    ['a text that is a number', { t: 5 }, 'text.t: must be a string'],
    ['text that is a string', 'hello', 'text: must be an object of text name to string'],
    [
      'more than 16 texts',
      Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`t${i}`, 'x'])),
      'text: must have at most 16 entries',
    ],
  ])('refuses %s', async (_name, text, message) => {
    const { osprey, errors } = await client();
    expect(osprey.log({ ...base, text: text as never })).toBe('');
    expect(errors.map((e) => e.message)).toEqual([
      `invalid prediction event not logged: ${message}`,
    ]);
  });

  it('uploads a reference with vectors and texts, and refuses a bad row by its index', async () => {
    const { collector, osprey } = await client();
    const upload = await osprey.logReference('search', 'v1', [
      { features: { x: 1 }, embeddings: { q: new Float32Array([1, 2]) }, text: { t: 'a' } },
      { features: { x: 2 }, embeddings: { q: [NaN, 1] } },
      { features: { x: 3 } },
    ]);
    expect(upload.rejected).toEqual([
      { index: 1, error: 'embeddings.q.0: must be a finite number within float32 range' },
    ]);
    const rows = collector.received('/v1/reference');
    expect(rows.map((r) => r.embeddings)).toEqual([{ q: [1, 2] }, undefined]);
    expect(rows[0]!.text).toEqual({ t: 'a' });
    await collector.close();
  });
});
