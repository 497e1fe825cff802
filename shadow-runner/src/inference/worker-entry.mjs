// Worker threads start without the parent's TypeScript loader (under vitest, say): register tsx,
// then load the worker. A bundled build (bench/gpu) replaces this file with the compiled worker.
import { register } from 'tsx/esm/api';

register();
await import('./worker.ts');
