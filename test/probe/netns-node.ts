/**
 * A throwaway "node" for the probe tests, as root: a node netns with a bridge, a pod netns
 * joined to it by a veth (addresses in 10.250.x.0/24, used only inside these namespaces), and a
 * stray netns with no link to the node — named netns are global to the machine, and the probe
 * must not take it for one of the node's pods. Everything is named `pp-probe-<random>-…`, and
 * remove() deletes only the namespaces this made (the links go with them).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';

const env = { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', LC_ALL: 'C' };
const ip = (...args: string[]) => execFileSync('ip', args, { env, encoding: 'utf8' });

export interface NetnsNode {
  prefix: string;
  nodeNetns: string;
  podNetns: string;
  strayNetns: string;
  bridge: string;
  hostVeth: string;
  podIP: string;
  remove(): void;
}

/** Why this process cannot make network namespaces, or null. */
export function netnsUnavailableReason(): string | null {
  if (process.platform !== 'linux') return `network namespaces need Linux (this is ${process.platform})`;
  if (process.getuid?.() !== 0) return 'making network namespaces needs root';
  const name = `pp-probe-${randomBytes(3).toString('hex')}-check`;
  const made = spawnSync('ip', ['netns', 'add', name], { env, encoding: 'utf8' });
  if (made.error) return `ip could not be run: ${made.error.message}`;
  if (made.status !== 0) return `cannot create a network namespace: ${made.stderr.trim()}`;
  spawnSync('ip', ['netns', 'del', name], { env });
  return null;
}

export function makeNetnsNode(): NetnsNode {
  const prefix = `pp-probe-${randomBytes(3).toString('hex')}-`;
  const made: string[] = [];
  const remove = () => {
    for (const ns of made.toReversed()) {
      if (ns.startsWith(prefix)) spawnSync('ip', ['netns', 'del', ns], { env });
    }
    made.length = 0;
  };
  const add = (name: string) => {
    ip('netns', 'add', name);
    made.push(name);
    return name;
  };
  try {
    const net = `10.250.${randomInt(256)}`;
    const node = {
      prefix,
      nodeNetns: add(`${prefix}node`),
      podNetns: add(`${prefix}pod`),
      strayNetns: add(`${prefix}stray`),
      bridge: 'br0',
      hostVeth: 'veth-pod0',
      podIP: `${net}.2`,
      remove,
    };
    const inNode = (...args: string[]) => ip('-n', node.nodeNetns, ...args);
    const inPod = (...args: string[]) => ip('-n', node.podNetns, ...args);
    inNode('link', 'add', node.bridge, 'type', 'bridge');
    inNode('addr', 'add', `${net}.1/24`, 'dev', node.bridge);
    inNode('link', 'set', node.bridge, 'up');
    inNode('link', 'add', node.hostVeth, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', node.podNetns);
    inNode('link', 'set', node.hostVeth, 'master', node.bridge, 'up');
    inPod('addr', 'add', `${node.podIP}/24`, 'dev', 'eth0');
    inPod('link', 'set', 'eth0', 'up');
    inPod('link', 'set', 'lo', 'up');
    inPod('route', 'add', 'default', 'via', `${net}.1`);
    // The stray netns has an eth0 too (a veth whose peer stays inside it), so only the missing
    // veth to the node tells it apart.
    ip('-n', node.strayNetns, 'link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', 'eth1');
    return node;
  } catch (error) {
    remove();
    throw error;
  }
}
