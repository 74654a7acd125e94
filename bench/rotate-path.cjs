'use strict';
/**
 * autocannon `setupRequest` for the list measurements. Every autocannon connection walks
 * its request list from the first entry, so with slow requests (a deep page can take a
 * second) a short run would mostly measure the first entries. This counter is shared by
 * all connections instead: together they take the paths in turn, as the direct-call loops
 * in measure.ts do.
 *
 * In workers mode autocannon loads setupRequest from a file inside its worker thread, so
 * the paths come through the environment, which the worker copies when it starts.
 */
const paths = JSON.parse(process.env.BENCH_ROTATE_PATHS || '[]');
let next = 0;

module.exports = (request) => ({ ...request, path: paths[next++ % paths.length] });
