'use strict';
/**
 * autocannon `setupRequest` for the posting measurement: every request is a new money
 * write, so each gets a fresh Idempotency-Key, and the connections take the bodies (one
 * per instrument) in turn. The bodies come through the environment, which autocannon's
 * worker thread copies when it starts.
 */
const { randomUUID } = require('node:crypto');

const bodies = JSON.parse(process.env.BENCH_POSTING_BODIES || '[]');
let next = 0;

module.exports = (request) => ({
  ...request,
  headers: { ...request.headers, 'idempotency-key': randomUUID() },
  body: bodies[next++ % bodies.length],
});
