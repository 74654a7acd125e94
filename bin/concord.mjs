#!/usr/bin/env node
// The `concord` command. The sources are TypeScript, compiled on the fly by tsx.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
