/**
 * How the CLI reaches Concord. Every command that reads or changes data goes through the
 * HTTP API as the console operator: over the running server's control socket when a
 * server holds the embedded database, or through an in-process app otherwise. So the CLI
 * never opens a data directory a server holds, and every change is audited the same way.
 */
import { randomUUID } from 'node:crypto';
import { type IncomingMessage, request } from 'node:http';
import { connect } from 'node:net';
import { pipeline } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { buildApp } from '../server/app.ts';
import type { Config } from '../server/config.ts';
import { readLock, socketPath } from '../server/db/data-dir.ts';
import { openDatabase } from '../server/db/open.ts';
import { LOCAL_HEADER } from '../server/http/authenticate.ts';
import { prepareDatabase } from '../server/server.ts';
import { type ApiResponse, type Call, CliError, type Streams } from './errors.ts';

/** How long a command waits for a server that holds the data directory but is still starting. */
const SOCKET_WAIT_MS = 10_000;

function socketAnswers(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(path);
    socket.once('connect', () => {
      socket.end();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * A server writes its lock before it opens its control socket, so a command run right after
 * `serve` can find the lock and no socket yet: it waits a little, then says so plainly.
 */
async function awaitControlSocket(path: string, holder: { pid: number }, dataDir: string): Promise<void> {
  const until = Date.now() + SOCKET_WAIT_MS;
  while (!(await socketAnswers(path))) {
    if (Date.now() >= until)
      throw new CliError(
        `A Concord server (pid ${holder.pid}) holds ${dataDir} but its control socket did not open within ${SOCKET_WAIT_MS / 1000} s; if it is still starting, try again in a moment.`,
      );
    await sleep(200);
  }
}

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

async function readAll(res: IncomingMessage): Promise<ApiResponse> {
  let text = '';
  res.setEncoding('utf8');
  for await (const chunk of res) text += chunk;
  return { status: res.statusCode ?? 0, body: parse(text) };
}

function streamsOverSocket(path: string): Streams {
  const send = (method: string, url: string, headers: Record<string, string>) =>
    new Promise<IncomingMessage>((resolve, reject) => {
      const req = request({ socketPath: path, method, path: url, headers }, resolve);
      req.on('error', reject);
      return req;
    });
  return {
    upload: (url, body, contentType) =>
      new Promise((resolve, reject) => {
        const req = request({ socketPath: path, method: 'POST', path: url, headers: { 'content-type': contentType } }, (res) =>
          readAll(res).then((answer) => {
            resolve(answer);
            // A refused file is answered before it is all sent: the rest need not be.
            req.destroy();
          }, reject),
        );
        req.on('error', reject);
        pipeline(body, req).catch(reject);
      }),
    async download(url, destination) {
      const res = await send('GET', url, {});
      if ((res.statusCode ?? 0) >= 400) return readAll(res);
      await pipeline(res, destination);
      return { status: res.statusCode ?? 0, body: null };
    },
  };
}

export async function withApi<T>(config: Config, work: (call: Call, streams: Streams) => Promise<T>): Promise<T> {
  if (!config.databaseUrl) {
    const holder = readLock(config.dataDir);
    if (holder) {
      const path = socketPath(config.dataDir);
      await awaitControlSocket(path, holder, config.dataDir);
      return work(overSocket(path), streamsOverSocket(path));
    }
  }
  const opened = await openDatabase(config);
  try {
    await prepareDatabase(opened.db, 'none');
    const secret = randomUUID();
    const app = await buildApp({ db: opened.db, config, localSecret: secret });
    try {
      const call: Call = async (method, url, body) => {
        const response = await app.inject({
          method: method as 'GET',
          url,
          headers: { [LOCAL_HEADER]: secret, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
          payload: body === undefined ? undefined : JSON.stringify(body),
        });
        return { status: response.statusCode, body: parse(response.body) };
      };
      const streams: Streams = {
        async upload(url, body, contentType) {
          const response = await app.inject({
            method: 'POST',
            url,
            headers: { [LOCAL_HEADER]: secret, 'content-type': contentType },
            payload: body as import('node:stream').Readable,
          });
          return { status: response.statusCode, body: parse(response.body) };
        },
        async download(url, destination) {
          const response = await app.inject({ method: 'GET', url, headers: { [LOCAL_HEADER]: secret } });
          if (response.statusCode >= 400) return { status: response.statusCode, body: parse(response.body) };
          await new Promise<void>((resolve, reject) =>
            destination.write(response.rawPayload, (error) => (error ? reject(error) : resolve())),
          );
          return { status: response.statusCode, body: null };
        },
      };
      return await work(call, streams);
    } finally {
      await app.close();
    }
  } finally {
    await opened.close();
  }
}
