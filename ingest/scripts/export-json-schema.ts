// Writes ingest/schema/*.json from the zod contract. Run by `npm run build -w @osprey/ingest`;
// the files are committed so the Python SDK's tests need no Node, and a test keeps them current.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { contractJsonSchemas } from '../src/contract/json-schema';

const dir = join(import.meta.dirname, '..', 'schema');
for (const [file, schema] of Object.entries(contractJsonSchemas())) {
  writeFileSync(join(dir, file), JSON.stringify(schema, null, 2) + '\n');
  console.log(`wrote ${join('ingest/schema', file)}`);
}
