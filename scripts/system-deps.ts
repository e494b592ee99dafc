/**
 * The system packages the test suite needs and npm cannot provide: Debian's Chromium (for the
 * browser tests), a font for legible screenshots, and the network lab's CNI plugins, iptables,
 * nftables, conntrack and iproute2. Installed once, as root, with apt;
 * otherwise the missing ones are named so a person can install them.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export const chromiumPath = '/usr/bin/chromium';

const needs: { path: string; pkg: string }[] = [
  { path: chromiumPath, pkg: 'chromium' },
  { path: '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf', pkg: 'fonts-dejavu-core' },
  // The network lab (test/lab): the real CNI plugins, kube-proxy's iptables and nftables
  // front ends, conntrack, and ip for the namespaces.
  { path: '/usr/lib/cni/bridge', pkg: 'containernetworking-plugins' },
  { path: '/usr/sbin/iptables', pkg: 'iptables' },
  { path: '/usr/sbin/nft', pkg: 'nftables' },
  { path: '/usr/sbin/conntrack', pkg: 'conntrack' },
  { path: '/usr/sbin/ip', pkg: 'iproute2' },
];

export function ensureSystemDeps(log: (line: string) => void): { missing: string[] } {
  let missing = needs.filter((n) => !existsSync(n.path)).map((n) => n.pkg);
  if (missing.length === 0) return { missing };
  if (process.getuid?.() !== 0) {
    log(`Missing system packages: ${missing.join(' ')}. Install them with: sudo apt-get install -y ${missing.join(' ')}`);
    return { missing };
  }
  log(`Installing ${missing.join(' ')} with apt-get (once)…`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const run = (args: string[]) => spawnSync('apt-get', args, { stdio: ['ignore', 'ignore', 'inherit'], env }).status === 0;
  if (!run(['install', '-y', '--no-install-recommends', ...missing])) {
    run(['update']);
    run(['install', '-y', '--no-install-recommends', ...missing]);
  }
  missing = needs.filter((n) => !existsSync(n.path)).map((n) => n.pkg);
  if (missing.length > 0) log(`Could not install: ${missing.join(' ')}`);
  return { missing };
}

if (import.meta.main) {
  const { missing } = ensureSystemDeps((line) => console.error(line));
  process.exitCode = missing.length === 0 ? 0 : 1;
}
