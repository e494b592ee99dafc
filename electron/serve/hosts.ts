/**
 * The names browser mode answers to. A request's Host header must name this server as its
 * clients know it, and its Origin (when there is one) must be that same `http://` origin:
 * that is what defeats DNS rebinding, where a foreign name resolves to this machine and the
 * browser sends its own Host. A server listening on a wildcard address is reached by any
 * address of this machine, so those are all accepted; `--public-host` names the one a client
 * uses instead (a DNS name, or a tunnel's `localhost:PORT`), and then only it is accepted.
 */
import { isIP } from 'node:net';
import { networkInterfaces } from 'node:os';

export interface HostOptions {
  /** The address the server listens on, as given to `listen`. */
  listenHost: string;
  port: number;
  /** NAME or NAME:PORT that clients use; without a port, the listening one. */
  publicHost?: string;
  /** This machine's addresses, for a wildcard listener (os.networkInterfaces by default). */
  machineAddresses?: string[];
}

export interface Hosts {
  /** The `host:port` the printed address uses. */
  primary: string;
  /** Every `host:port` accepted in a Host header, lower case. */
  accepted: ReadonlySet<string>;
  /** The accepted authority a Host header names, or null when it names none. */
  match(host: string | undefined): string | null;
}

export function isWildcard(host: string): boolean {
  return host === '0.0.0.0' || host === '::' || host === '0:0:0:0:0:0:0:0';
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || (isIP(host) === 4 && host.startsWith('127.'));
}

/** `host:port` with an IPv6 literal in brackets, as a Host header carries it. */
export function authorityOf(host: string, port: number): string {
  return `${isIP(host) === 6 ? `[${host}]` : host}:${port}`.toLowerCase();
}

export function hostsFor(options: HostOptions): Hosts {
  let names: string[];
  if (options.publicHost !== undefined) {
    names = [publicAuthority(options.publicHost, options.port)];
  } else if (isWildcard(options.listenHost)) {
    const addresses = options.machineAddresses ?? localAddresses();
    names = ['127.0.0.1', 'localhost', ...addresses.filter((a) => a !== '127.0.0.1')].map((a) => authorityOf(a, options.port));
  } else {
    names = [authorityOf(options.listenHost, options.port)];
  }
  const accepted = new Set(names);
  return {
    primary: names[0]!,
    accepted,
    match: (host) => {
      const name = host?.toLowerCase();
      return name !== undefined && accepted.has(name) ? name : null;
    },
  };
}

/**
 * `--public-host`'s value as a `host:port`, or an Error saying what is wrong with it. Only a
 * host name or address and an optional port: no scheme, user, path or anything else.
 */
export function parsePublicHost(value: string): { host: string; port: number | null } | Error {
  const wrong = new Error(`--public-host takes a host name or address and an optional :PORT, not ${JSON.stringify(value)}.`);
  if (!/^[A-Za-z0-9.\-[\]:]+$/.test(value)) return wrong;
  let url: URL;
  try {
    url = new URL(`http://${value}`);
  } catch {
    return wrong;
  }
  if (url.hostname === '' || url.pathname !== '/') return wrong;
  return { host: url.hostname, port: url.port === '' ? null : Number(url.port) };
}

function publicAuthority(value: string, port: number): string {
  const parsed = parsePublicHost(value);
  if (parsed instanceof Error) throw parsed;
  // url.hostname keeps an IPv6 literal's brackets.
  return `${parsed.host}:${parsed.port ?? port}`.toLowerCase();
}

/** Every address of this machine's interfaces, without IPv6 zone ids (no browser sends them). */
function localAddresses(): string[] {
  return Object.values(networkInterfaces())
    .flatMap((list) => list ?? [])
    .filter((info) => !(info.family === 'IPv6' && info.scopeid !== 0 && info.scopeid !== undefined))
    .map((info) => info.address);
}
