#!/usr/bin/env node
// The `osprey` command. Workspaces are TypeScript source; tsx compiles them as they load.
import { register } from 'tsx/esm/api';

register();
await import('../src/main.ts');
