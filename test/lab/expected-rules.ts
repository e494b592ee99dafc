/**
 * What kube-proxy must have programmed on a node, from the API's Services and EndpointSlices,
 * next to what the datapath parsers read back from its rules (shared/datapath), in one shape so
 * a test compares the two with one toEqual. Used by the lab (test/lab/rules.test.ts) and by the
 * unit tests over its captures (shared/datapath/kube-proxy-1.36.test.ts).
 */
import type { EndpointSlice, Service } from '../../shared/kube/objects.ts';
import type { KubeProxyRules } from '../../shared/datapath/types.ts';

export interface PortRules {
  /** `ip:port` of the ClusterIP frontend. */
  clusterIP: string | null;
  nodePort: number | null;
  /** The cluster-wide dispatch: endpoint `ip:port` → the chance kube-proxy gives it. */
  endpoints: Record<string, number>;
  /** Local traffic policy only: the node-local dispatch, likewise. */
  localEndpoints: Record<string, number> | null;
  affinitySeconds: number | null;
  /** `no-endpoints REJECT ip:port` and `no-local-endpoints DROP :nodePort` rules. */
  noEndpoints: string[];
}

/** By ServicePortName (`ns/name` or `ns/name:port`). */
export type RulesByPort = Record<string, PortRules>;

const spn = (namespace: string, name: string, port: string | undefined) => `${namespace}/${name}${port ? `:${port}` : ''}`;
const shares = (targets: string[]) => Object.fromEntries([...targets].sort().map((t) => [t, 1 / targets.length]));

/**
 * What kube-proxy (1.36) programs on `node` for these Services: every ready endpoint of the
 * port's slices, with equal shares, behind its ClusterIP and node port; for a Local external
 * traffic policy, also a dispatch to the endpoints on this node alone, or, where there are none,
 * a rule dropping external traffic to the node port. A port with no endpoints at all has no
 * frontend: its ClusterIP (and node port) is rejected instead.
 */
export function expectedRules(services: Service[], slices: EndpointSlice[], node: string): RulesByPort {
  const out: RulesByPort = {};
  for (const service of services) {
    const ns = service.metadata.namespace ?? '';
    const name = service.metadata.name ?? '';
    const own = slices.filter((s) => s.metadata.labels?.['kubernetes.io/service-name'] === name && s.metadata.namespace === ns);
    for (const port of service.spec.ports ?? []) {
      const endpoints = own.flatMap((slice) => {
        const target = slice.ports?.find((p) => (p.name ?? '') === (port.name ?? '') && (p.protocol ?? 'TCP') === (port.protocol ?? 'TCP'))?.port;
        if (target === undefined) return [];
        return (slice.endpoints ?? []).filter((e) => e.conditions?.ready !== false).flatMap((e) => e.addresses.map((a) => ({ target: `${a}:${target}`, node: e.nodeName })));
      });
      const isLocal = service.spec.externalTrafficPolicy === 'Local';
      const local = endpoints.filter((e) => e.node === node).map((e) => e.target);
      const clusterIP = `${service.spec.clusterIP}:${port.port}`;
      const nodePort = port.nodePort ?? null;
      const noEndpoints: string[] = [];
      if (endpoints.length === 0) {
        noEndpoints.push(`no-endpoints REJECT ${clusterIP}`);
        if (nodePort !== null) noEndpoints.push(`no-endpoints REJECT :${nodePort}`);
      } else if (isLocal && local.length === 0 && nodePort !== null) noEndpoints.push(`no-local-endpoints DROP :${nodePort}`);
      const hasEndpoints = endpoints.length > 0;
      out[spn(ns, name, port.name)] = {
        clusterIP: hasEndpoints ? clusterIP : null,
        nodePort: hasEndpoints ? nodePort : null,
        endpoints: shares(endpoints.map((e) => e.target)),
        localEndpoints: isLocal && local.length > 0 ? shares(local) : null,
        affinitySeconds: service.spec.sessionAffinity === 'ClientIP' ? 10800 : null,
        noEndpoints: noEndpoints.sort(),
      };
    }
  }
  return out;
}

/** The same facts as the parsers read them from one node's rules, for the ports in `names`. */
export function observedRules(rules: KubeProxyRules | undefined, names: string[]): RulesByPort {
  const out: RulesByPort = {};
  for (const name of names) {
    const port = rules?.services.find((s) => s.servicePortName === name);
    if (!port) continue;
    const cluster = port.frontends.filter((f) => f.kind === 'cluster-ip');
    // iptables mode writes two rules per node port: one for 127.0.0.0/8 (counted by nfacct), one for any local address.
    const nodePorts = [...new Set(port.frontends.filter((f) => f.kind === 'node-port').map((f) => f.port))];
    const dispatch = (scope: 'cluster' | 'local') => {
      const d = port.dispatches.find((x) => x.scope === scope);
      return d ? Object.fromEntries(d.endpoints.map((e) => [e.target ?? '(no DNAT)', round(e.probability)]).sort()) : null;
    };
    out[name] = {
      clusterIP: cluster.length === 1 ? `${cluster[0]!.ip}:${cluster[0]!.port}` : cluster.length === 0 ? null : `${cluster.length} ClusterIP frontends`,
      nodePort: nodePorts.length === 1 ? nodePorts[0]! : null,
      endpoints: dispatch('cluster') ?? {},
      localEndpoints: dispatch('local'),
      affinitySeconds: port.dispatches.find((d) => d.scope === 'cluster')?.affinitySeconds ?? null,
      noEndpoints: port.noEndpoints.map((n) => `${n.reason} ${n.action} ${n.ip ?? ''}:${n.port}`).sort(),
    };
  }
  return out;
}

/** kube-proxy writes iptables probabilities with 10 decimals: compare at that precision. */
function round(p: number | null): number {
  return p === null ? NaN : Number(p.toFixed(6));
}

/** The expected shares rounded the same way. */
export function rounded(rules: RulesByPort): RulesByPort {
  const r = (m: Record<string, number>) => Object.fromEntries(Object.entries(m).map(([k, v]) => [k, round(v)]));
  return Object.fromEntries(Object.entries(rules).map(([k, v]) => [k, { ...v, endpoints: r(v.endpoints), localEndpoints: v.localEndpoints && r(v.localEndpoints) }]));
}
