import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { contractJsonSchemas } from './json-schema';

it('the committed JSON Schema files match the zod contract (run `npm run build -w @osprey/ingest`)', () => {
  for (const [file, schema] of Object.entries(contractJsonSchemas())) {
    const committed = JSON.parse(
      readFileSync(join(import.meta.dirname, '..', '..', 'schema', file), 'utf8'),
    );
    expect(committed, file).toEqual(schema);
  }
});
