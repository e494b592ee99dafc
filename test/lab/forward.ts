/**
 * A byte-for-byte stream forwarder, run with node as its own process:
 *
 *   node forward.ts LISTEN CONNECT
 *
 * each of LISTEN and CONNECT either `host:port` (TCP) or an absolute path (a Unix socket). The
 * lab runs two per node: in the root namespace, a Unix socket → the API server's loopback port;
 * in the node's namespace, 127.0.0.1:6443 → that Unix socket. A Unix socket is a file, so both
 * namespaces reach it, while neither sees the other's loopback. TLS passes through untouched.
 * Prints `listening` once it accepts connections.
 */
import { connect, createServer, type Socket } from 'node:net';
import { rmSync } from 'node:fs';

const [listen, target] = process.argv.slice(2);
if (!listen || !target) {
  console.error('usage: node forward.ts LISTEN CONNECT (host:port or /path/to/socket)');
  process.exit(2);
}

const endpoint = (spec: string): { path: string } | { host: string; port: number } => {
  if (spec.startsWith('/')) return { path: spec };
  const colon = spec.lastIndexOf(':');
  return { host: spec.slice(0, colon), port: Number(spec.slice(colon + 1)) };
};

const server = createServer((inbound: Socket) => {
  const outbound = connect(endpoint(target));
  inbound.pipe(outbound).pipe(inbound);
  const close = () => {
    inbound.destroy();
    outbound.destroy();
  };
  inbound.on('error', close).on('close', close);
  outbound.on('error', close).on('close', close);
});

const where = endpoint(listen);
if ('path' in where) rmSync(where.path, { force: true });
server.listen(where, () => console.log(`listening on ${listen}, forwarding to ${target}`));
const quit = () => server.close(() => process.exit(0));
process.on('SIGTERM', quit).on('SIGINT', quit);
