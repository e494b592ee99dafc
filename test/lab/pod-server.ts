/**
 * A pod's listener, run with node inside the pod's network namespace:
 *
 *   node pod-server.ts POD_NAME PORT
 *
 * Answers every HTTP request with `POD_NAME` and the address the request came from (so a test
 * sees whether a Service hop SNATed it). Prints `listening` once it accepts connections.
 */
import { createServer } from 'node:http';

const [name, port] = process.argv.slice(2);
if (!name || !port) {
  console.error('usage: node pod-server.ts POD_NAME PORT');
  process.exit(2);
}

const server = createServer((req, res) => {
  res.setHeader('content-type', 'text/plain');
  res.setHeader('connection', 'close');
  res.end(`${name} from ${req.socket.remoteAddress}\n`);
});
server.listen(Number(port), '0.0.0.0', () => console.log(`listening on 0.0.0.0:${port} as ${name}`));
const quit = () => server.close(() => process.exit(0));
process.on('SIGTERM', quit).on('SIGINT', quit);
