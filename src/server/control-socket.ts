/**
 * The running server's control socket: a Unix socket in the data directory, readable only
 * by the server's own OS user, through which the CLI reaches the API as the operator
 * instead of opening the embedded database a second time. Each request is handed to the
 * app in-process with a per-run secret that marks it as coming from the console.
 */
import { chmodSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { FastifyInstance } from 'fastify';
import { LOCAL_HEADER } from './http/authenticate.ts';

export async function serveControlSocket(app: FastifyInstance, path: string, secret: string): Promise<Server> {
  rmSync(path, { force: true });
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const response = await app.inject({
      method: req.method as 'GET',
      url: req.url ?? '/',
      headers: { ...req.headers, [LOCAL_HEADER]: secret },
      payload: chunks.length ? Buffer.concat(chunks) : undefined,
    });
    res.writeHead(response.statusCode, { 'content-type': String(response.headers['content-type'] ?? 'application/json') });
    res.end(response.rawPayload);
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(path, resolve));
  chmodSync(path, 0o600);
  return server;
}
