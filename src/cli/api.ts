/**
 * How the CLI reaches Concord. Every command that reads or changes data goes through the
 * HTTP API as the console operator: over the running server's control socket when a
 * server holds the embedded database, or through an in-process app otherwise. So the CLI
 * never opens a data directory a server holds, and every change is audited the same way.
 */
import { randomUUID } from 'node:crypto';
import { request } from 'node:http';
import { buildApp } from '../server/app.ts';
import type { Config } from '../server/config.ts';
import { readLock, socketPath } from '../server/db/data-dir.ts';
import { openDatabase } from '../server/db/open.ts';
import { LOCAL_HEADER } from '../server/http/authenticate.ts';
import { prepareDatabase } from '../server/server.ts';
import type { Call } from './errors.ts';

function parse(text: string): unknown {
  try {
    return text ? JSON.parse(text) : null;
  } catch {
    return text;
  }
}

function overSocket(path: string): Call {
  return (method, url, body) =>
    new Promise((resolve, reject) => {
      const payload = body === undefined ? undefined : JSON.stringify(body);
      const req = request(
        { socketPath: path, method, path: url, headers: payload ? { 'content-type': 'application/json' } : {} },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk) => (text += chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: parse(text) }));
        },
      );
      req.on('error', (error) =>
        reject(
          new Error(
            `A Concord server holds ${path.replace(/\/concord\.sock$/, '')} but its control socket did not answer (${error.message}).`,
          ),
        ),
      );
      req.end(payload);
    });
}

export async function withApi<T>(config: Config, work: (call: Call) => Promise<T>): Promise<T> {
  if (!config.databaseUrl) {
    const holder = readLock(config.dataDir);
    if (holder) return work(overSocket(socketPath(config.dataDir)));
  }
  const opened = await openDatabase(config);
  try {
    await prepareDatabase(opened.db, 'none');
    const secret = randomUUID();
    const app = await buildApp({ db: opened.db, config, localSecret: secret });
    try {
      return await work(async (method, url, body) => {
        const response = await app.inject({
          method: method as 'GET',
          url,
          headers: { [LOCAL_HEADER]: secret, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
          payload: body === undefined ? undefined : JSON.stringify(body),
        });
        return { status: response.statusCode, body: parse(response.body) };
      });
    } finally {
      await app.close();
    }
  } finally {
    await opened.close();
  }
}
