// The import pool's worker entry: worker threads start without the TypeScript loader the
// server runs under, so this registers it and hands over the task (import-worker.ts).
import { register } from 'tsx/esm/api';

register();
const task = await import('./import-worker.ts');
export default task.default;
