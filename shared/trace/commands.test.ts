/**
 * The commands a trace shows are pasted into a shell: every name in them must reach the program
 * as the one word it is, whatever a hand-made snapshot put in it. The demo cluster is renamed —
 * namespace `shop` and every `backend` and `ledger` name — once to plain placeholders and once to
 * hostile text; real /bin/sh parses both traces' commands, and what it runs for the hostile one
 * must be what it runs for the placeholders with the hostile text put back in.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { shellRuns } from '../../test/shell-words.ts';
import type { Topology } from '../model/types.ts';
import { parseSnapshot } from '../snapshot/format.ts';
import { derive } from '../topology/derive.ts';
import { trace } from './trace.ts';
import type { TraceQuery } from './types.ts';

const snapshot = parseSnapshot(readFileSync(new URL('../../assets/demo-cluster.podpath.json', import.meta.url), 'utf8'));

/** The demo with namespace `shop` called `namespace`, and `backend` and `ledger` in every name and label called `name`. */
function renamed(namespace: string, name: string): Topology {
  const text = JSON.stringify(snapshot.objects);
  const objects = JSON.parse(text, (_key, value: unknown) =>
    typeof value !== 'string' ? value : value === 'shop' ? namespace : value.replaceAll('backend', name).replaceAll('ledger', name),
  ) as typeof snapshot.objects;
  return derive(objects, snapshot.source);
}

/** Flows that show every kind of command: exec in a pod, kube-proxy's chains, policies, DNS, the reject rule, an Ingress. */
function queries(topology: Topology, namespace: string, name: string): TraceQuery[] {
  const pods = Object.values(topology.pods).sort((a, b) => a.uid.localeCompare(b.uid));
  const pod = (ns: string, app: string) => pods.find((p) => p.namespace === ns && p.labels.app === app && p.phase === 'Running')!;
  const service = (ns: string, serviceName: string) => topology.services[`svc:${ns}/${serviceName}`]!;
  const [frontend, backend, db, echo] = [pod(namespace, 'frontend'), pod(namespace, name), pod(namespace, 'db'), pod('default', 'echo')];
  const [backendService, ledger] = [service(namespace, name), service('payments', name)];
  return [
    { from: frontend.id, to: backendService.clusterIPs[0]!, port: backendService.ports[0]!.port },
    { from: frontend.id, to: backend.id, port: 8080 },
    { from: backend.id, to: db.id, port: 5432 },
    { from: backend.id, to: 'kubernetes.default', port: 443 },
    { from: backend.id, to: '1.1.1.1', port: 443 },
    { from: echo.id, to: backendService.clusterIPs[0]!, port: backendService.ports[0]!.port },
    { from: echo.id, to: ledger.clusterIPs[0]!, port: ledger.ports[0]!.port },
    { from: 'internet', to: 'http://shop.example.com/api' },
  ];
}

function commands(namespace: string, name: string): string[] {
  const topology = renamed(namespace, name);
  return queries(topology, namespace, name).flatMap((query) => {
    const result = trace(topology, query);
    return [...result.hops, ...result.branches.flatMap((b) => b.hops)].flatMap((hop) => hop.evidence.flatMap((e) => (e.command ? [e.command] : [])));
  });
}

// kube-proxy's chain names hash the Service's name: the same chain under another name.
const chainsAlike = (word: string) => word.replace(/KUBE-(SVC|SEP|SVL|EXT|FW|XLB)-[A-Z0-9]{16}/g, 'KUBE-$1-…');

const plain = { namespace: 'zzns', name: 'zzname' };
const plainCommands = commands(plain.namespace, plain.name);
const plainRuns = shellRuns(plainCommands);

describe('the commands of a trace, for names a stranger chose', () => {
  test("the issue's pod: `kubectl exec -n shop 'fe;touch${IFS}/tmp/x;#…' -- cat /etc/resolv.conf`", () => {
    const name = 'fe;touch${IFS}/tmp/x;#';
    const resolvConf = commands('shop', name).find((c) => c.endsWith('cat /etc/resolv.conf'));
    expect(resolvConf).toMatch(/^kubectl exec -n shop 'fe;touch\$\{IFS\}\/tmp\/x;#-[a-z0-9-]+' -- cat \/etc\/resolv.conf$/);
  });

  test('the placeholders show every kind of command, and sh runs each cleanly', () => {
    const programs = new Set(plainRuns.flatMap((run) => run.runs.map((r) => r[0])));
    expect([...programs].sort()).toEqual(expect.arrayContaining(['grep', 'iptables-save', 'ip', 'kubectl', 'tcpdump']));
    expect(plainCommands.some((c) => c.includes('-- cat /etc/resolv.conf'))).toBe(true);
    expect(plainCommands.some((c) => c.includes('networkpolicy'))).toBe(true);
    for (const run of plainRuns) expect(run.errors).toBe('');
  });

  // After the placeholders' own letters, so that the names sort as the placeholders do (the
  // policies a trace names come in name order).
  test.each([
    ['fe;touch${IFS}/tmp/x;#', 'fe;touch${IFS}/tmp/x;#'],
    ["sh'op", 'a"b`id`$(id)$HOME'],
    ['new\nline', 'tab\tand space *'],
    ['x|y&z>out', "'\\''"],
  ])('namespace %j, name %j: each one word, nothing else run', (nsPart, namePart) => {
    const [namespace, name] = [`${plain.namespace}${nsPart}`, `${plain.name}${namePart}`];
    const hostile = commands(namespace, name);
    expect(hostile).toHaveLength(plainCommands.length);
    for (const [i, { runs, errors }] of shellRuns(hostile).entries()) {
      expect(errors, hostile[i]).toBe('');
      const expected = plainRuns[i]!.runs.map((run) => run.map((word) => chainsAlike(word.replaceAll(plain.namespace, namespace).replaceAll(plain.name, name))));
      expect(runs.map((run) => run.map(chainsAlike)), hostile[i]).toEqual(expected);
    }
  });

  test('a name that starts with a dash is never read as an option', () => {
    const flag = '--server=https://evil.example';
    const hostile = commands('zzns', flag);
    for (const [i, { runs }] of shellRuns(hostile).entries()) {
      for (const run of runs) {
        for (const [j, word] of run.entries()) {
          // As a whole word only as -n's value or after `--`; otherwise inside one (`pod/--server=…`).
          if (word.startsWith('-') && word.includes('evil')) expect(run[j - 1] === '-n' || run.slice(1, j).includes('--'), hostile[i]).toBe(true);
        }
      }
    }
  });
});
