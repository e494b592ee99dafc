/**
 * Cluster facts about how names and Services are served, read from the API alone:
 * NodeLocal DNSCache (its DaemonSet's flags and ConfigMap's Corefile) and kube-proxy's IPVS
 * scheduler (its ConfigMap's `ipvs.scheduler`, or its `--ipvs-scheduler` flag).
 *
 * Formats from kubernetes/kubernetes cluster/addons/dns/nodelocaldns/nodelocaldns.yaml: the
 * node-cache container runs with `-localip <link-local>,<kube-dns ClusterIP>` (the second
 * address only in kube-proxy's iptables mode) and `-upstreamsvc kube-dns-upstream`; its Corefile
 * forwards the cluster domain to that Service `{ force_tcp }`, and everything else to the
 * node's own resolvers.
 */
import { parseYaml } from '../kube/nesting.ts';
import type { ClusterObjects, DaemonSet } from '../kube/objects.ts';
import type { Detected, NodeLocalDns } from '../model/cluster.ts';
import { dsNameAndImage, findConfigMap, findDaemonSet, images } from './cni/evidence.ts';

/** The link-local address the NodeLocal DNSCache documentation uses. */
export const defaultNodeLocalIP = '169.254.20.10';

/** A flag's value, written `-flag value`, `-flag=value`, `--flag value` or `--flag=value`. */
function flagValue(args: readonly string[], name: string): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    const bare = arg.replace(/^--?/, '');
    if (bare === name) return args[i + 1];
    if (bare.startsWith(`${name}=`)) return bare.slice(name.length + 1);
  }
  return undefined;
}

function isNodeCache(ds: DaemonSet): boolean {
  return (ds.metadata.name === 'node-local-dns' && ds.metadata.namespace === 'kube-system') || images(ds).some((i) => /\/k8s-dns-node-cache(:|@|$)/.test(i));
}

/**
 * The top-level server blocks of a Corefile (`zone:port { … }`), by their key, with the text
 * inside their braces. Nested blocks (`forward . x { force_tcp }`) stay in their parent's text.
 */
export function corefileBlocks(corefile: string): { key: string; body: string }[] {
  const blocks: { key: string; body: string }[] = [];
  let depth = 0;
  let key = '';
  let body = '';
  for (const raw of corefile.split('\n')) {
    const line = raw.replace(/#.*$/, '');
    const opens = (line.match(/\{/g) ?? []).length;
    const closes = (line.match(/\}/g) ?? []).length;
    if (depth === 0 && opens > 0) {
      key = line.slice(0, line.indexOf('{')).trim();
      body = '';
    } else if (depth > 0) body += `${line}\n`;
    depth += opens - closes;
    if (depth <= 0 && key !== '') {
      blocks.push({ key, body: body.replace(/\}\s*$/, '') });
      key = '';
      depth = 0;
    }
  }
  return blocks;
}

/** Whether the Corefile forwards the cluster domain with force_tcp; null when no block for it. */
function forwardsClusterOverTcp(corefile: string, domain: string): boolean | null {
  const block = corefileBlocks(corefile).find((b) => {
    const zone = b.key.split(/\s+/)[0]?.replace(/:\d+$/, '') ?? '';
    return zone === domain || zone === `${domain}.` || zone === '__PILLAR__DNS__DOMAIN__';
  });
  return block ? /\bforward\b[^\n]*\{[^}]*\bforce_tcp\b/.test(block.body) : null;
}

/** NodeLocal DNSCache, where its DaemonSet is listed; null otherwise. */
export function detectNodeLocalDns(objects: ClusterObjects, domain = 'cluster.local'): NodeLocalDns | null {
  const ds = findDaemonSet(objects, isNodeCache);
  if (!ds) return null;
  const name = `${ds.metadata.namespace ?? ''}/${ds.metadata.name}`;
  const args = ds.spec.template.spec.containers.flatMap((c) => [...(c.command ?? []), ...(c.args ?? [])]);
  const evidence = [`${dsNameAndImage(ds)} runs NodeLocal DNSCache (node-cache)`];
  const localip = flagValue(args, 'localip');
  let localIPs: string[];
  if (localip === undefined) {
    localIPs = [defaultNodeLocalIP];
    evidence.push(`its -localip flag was not read: assumed ${defaultNodeLocalIP}, the documented address`);
  } else {
    localIPs = localip.split(',').map((ip) => ip.trim()).filter((ip) => ip !== '');
    evidence.push(`-localip ${localip}: node-cache binds ${localIPs.join(' and ')} on every node it runs on`);
    if (localIPs.some((ip) => ip.includes('__PILLAR__'))) evidence.push(`-localip still holds a __PILLAR__ placeholder: the manifest was applied without substituting it`);
  }
  const upstream = flagValue(args, 'upstreamsvc');
  const upstreamService = upstream ? (upstream.includes('/') ? upstream : `${ds.metadata.namespace ?? 'kube-system'}/${upstream}`) : null;
  evidence.push(upstream ? `-upstreamsvc ${upstream}: cluster names are forwarded to that Service's ClusterIP` : 'no -upstreamsvc flag: where it forwards cluster names is in its Corefile');
  const cm = findConfigMap(objects, ds.metadata.name, [ds.metadata.namespace ?? 'kube-system']);
  const corefile = cm?.data?.Corefile;
  const isForceTcp = corefile === undefined ? null : forwardsClusterOverTcp(corefile, domain);
  if (corefile !== undefined) evidence.push(`ConfigMap ${name} Corefile: ${isForceTcp === null ? `no server block for ${domain}` : `the ${domain} block forwards ${isForceTcp ? 'with force_tcp (over TCP)' : 'over the protocol the query came in'}`}`);
  return {
    daemonSet: name,
    localIPs,
    upstreamService,
    isForceTcp,
    desired: ds.status?.desiredNumberScheduled ?? null,
    ready: ds.status?.numberReady ?? null,
    evidence,
  };
}

/** kube-proxy's IPVS scheduler, where its configuration was read: `rr` when left empty. */
export function detectIpvsScheduler(objects: ClusterObjects): Detected<string> | null {
  const config = findConfigMap(objects, 'kube-proxy', ['kube-system'])?.data?.['config.conf'];
  if (config !== undefined) {
    let parsed: unknown;
    try {
      parsed = parseYaml(config);
    } catch {
      return null;
    }
    const ipvs = (parsed as { ipvs?: { scheduler?: unknown } } | null)?.ipvs;
    const scheduler = typeof ipvs?.scheduler === 'string' && ipvs.scheduler !== '' ? ipvs.scheduler : null;
    return scheduler
      ? { value: scheduler, confidence: 'high', evidence: [`ConfigMap kube-system/kube-proxy config.conf ipvs.scheduler: ${scheduler}`] }
      : { value: 'rr', confidence: 'high', evidence: ['ConfigMap kube-system/kube-proxy config.conf leaves ipvs.scheduler empty: kube-proxy uses rr (round robin)'] };
  }
  const ds = findDaemonSet(objects, (d) => d.metadata.name === 'kube-proxy');
  const flag = ds ? flagValue(ds.spec.template.spec.containers.flatMap((c) => [...(c.command ?? []), ...(c.args ?? [])]), 'ipvs-scheduler') : undefined;
  if (ds && flag) return { value: flag, confidence: 'high', evidence: [`${dsNameAndImage(ds)} runs with --ipvs-scheduler=${flag}`] };
  return null;
}
