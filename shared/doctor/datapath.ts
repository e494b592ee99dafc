/**
 * Where a node's observed datapath (issue 13, `Host.observed`) and the API disagree: a pod the
 * API places on a node whose reading has no veth and no route for it, a veth or pod netns no pod
 * owns, a veth whose two ends disagree, a pod IP the node's tables send elsewhere, a node with no
 * route (or no tunnel neighbour and FDB entry) to another node's pods, and kube-proxy rules that
 * disagree with the EndpointSlices (datapath-kube-proxy.ts).
 *
 * Only nodes with a reading are checked, against the objects as they are now. Nothing is
 * concluded from a command that could not be read: each node with unread commands gets one
 * `info` problem saying what and why, and the checks that needed them are skipped.
 */
import { wasRead, whereRead } from '../datapath/join.ts';
import { nodeCommands } from '../datapath/reading.ts';
import { routeFor, routeTo } from '../datapath/routes.ts';
import type { DatapathConflict, ObservedVeth } from '../datapath/types.ts';
import type { Host, HostObservation, PodRecord, Topology } from '../model/types.ts';
import { kubectlObject, sh } from '../text/shell.ts';
import { checkKubeProxyRules } from './datapath-kube-proxy.ts';
import { isDone } from './facts.ts';
import type { Check, Problem, ProblemKind, Severity } from './types.ts';
import { listed } from './words.ts';

type Observed = Host & { observed: HostObservation };

/** Pods by `namespace/name`, built per diagnosis (a live session updates its topology in place). */
type PodsByRef = ReadonlyMap<string, PodRecord>;

const podSubject = (pod: PodRecord) => `pod/${pod.namespace}/${pod.name}`;
const nodeSubject = (host: Host) => `node/${host.name}`;
const bare = (cidr: string) => cidr.split('/')[0] as string;

function nodeProblem(host: Host, kind: ProblemKind, severity: Severity, message: string, why: string[], fix: string | null, related: string[] = []): Problem {
  return { kind, severity, subject: nodeSubject(host), subjectId: host.id, message, why, fix, related };
}

/** What could not be read on a node, once: every check below is silent about what it needed. */
function unreadProblem(host: Observed): Problem[] {
  const { unread } = host.observed;
  if (unread.length === 0) return [];
  const what = [...new Set(unread.map((u) => u.command))];
  const hasFix = unread.some((u) => u.status === 'missing-tool' || u.status === 'permission-denied');
  return [
    nodeProblem(
      host,
      'datapath-unread',
      'info',
      `${what.length === 1 ? 'one read' : `${what.length} reads`} of ${host.name}'s datapath did not succeed (${listed(what, 3)}): what needs ${what.length === 1 ? 'it' : 'them'} is not checked there`,
      [`read ${whereRead(host.name, host.observed)}`, ...unread.map((u) => `${u.command}${u.netns ? ` in netns ${u.netns}` : ''}: ${u.status}: ${u.message}`)],
      hasFix ? 'probe again from a privileged context (root, or a privileged debug pod with hostNetwork and hostPID) with iproute2, iptables and nftables installed' : null,
    ),
  ];
}

function vethWords(veth: ObservedVeth): string {
  if (veth.netns === null) return `its other end is in netns id ${veth.peer.netnsid}, none of the pod netns read`;
  const holder = veth.pod ? `pod ${veth.pod.namespace}/${veth.pod.name}` : 'no pod the runtime named';
  return `it leads to netns ${veth.netns} (${holder}${veth.podAddresses.length > 0 ? `, eth0 ${veth.podAddresses.join(', ')}` : ''})`;
}

/** Pods the API places here that the reading does not show; veths and pod netns no pod owns. */
function attachmentProblems(topology: Topology, host: Observed, pods: PodRecord[], podsByRef: PodsByRef): Problem[] {
  const observed = host.observed;
  const where = `read ${whereRead(host.name, observed)}`;
  const problems: Problem[] = [];
  const owned = new Set<string>();
  const here = new Set(pods.map((p) => `${p.namespace}/${p.name}`));
  for (const pod of pods) {
    const veth = pod.veth ? topology.veths[pod.veth] : undefined;
    if (!veth?.observation) continue;
    if (veth.observation === 'found' && veth.hostEnd.name) {
      owned.add(veth.hostEnd.name);
      const seen = observed.veths.find((v) => v.hostName === veth.hostEnd.name);
      const addresses = (seen?.podAddresses ?? []).map(bare);
      if (addresses.length > 0 && !pod.ips.some((ip) => addresses.includes(ip))) {
        problems.push({
          kind: 'datapath-pod-ip-mismatch',
          severity: 'warning',
          subject: podSubject(pod),
          subjectId: pod.id,
          message: `the API says ${pod.namespace}/${pod.name} has ${pod.ips.join(', ')}, but eth0 in its netns on ${host.name} holds ${addresses.join(', ')}: traffic to the API's address does not reach it`,
          why: [`status.podIPs: ${pod.ips.join(', ')}`, `${where}: ${veth.hostEnd.how}`],
          fix: `recreate the pod so the kubelet reports the address its netns has: ${sh`kubectl -n ${pod.namespace} delete ${kubectlObject('pod', pod.name)}`}`,
          related: [host.id, veth.id],
        });
      }
      continue;
    }
    // A pod still being torn down, or whose IP a routed CNI serves by a /32, is not missing.
    if (veth.observation !== 'missing' || isDone(pod) || pod.phase === 'Terminating' || !wasRead(observed, 'routes')) continue;
    if (pod.ips.some((ip) => routeFor(observed.routes, ip))) continue;
    const stray = observed.strayNetns.find((n) => n.pod?.namespace === pod.namespace && n.pod.name === pod.name);
    problems.push({
      kind: 'datapath-pod-without-veth',
      severity: 'error',
      subject: podSubject(pod),
      subjectId: pod.id,
      message: `the API places ${pod.namespace}/${pod.name} (${pod.ips.join(', ')}) on ${host.name}, but ${host.name}'s datapath has no veth to it and no route for ${pod.ips.length === 1 ? 'its IP' : 'its IPs'}: nothing reaches the pod there`,
      why: [
        `spec.nodeName: ${host.name}; status.podIPs: ${pod.ips.join(', ')}`,
        `${where}: ${observed.veths.length} pod veth${observed.veths.length === 1 ? '' : 's'}, none whose netns is this pod's or holds ${pod.ips.join(' or ')}`,
        `${nodeCommands.routes}: no route for ${pod.ips.map((ip) => `${ip}/${ip.includes(':') ? 128 : 32}`).join(', ')} in table main`,
        ...(stray ? [`its netns ${stray.netns} was read, but no veth in the root netns leads to it`] : []),
      ],
      fix: `recreate the pod so the kubelet and the CNI attach it again: ${sh`kubectl -n ${pod.namespace} delete ${kubectlObject('pod', pod.name)}`}`,
      related: [host.id],
    });
  }
  for (const veth of observed.veths) {
    if (owned.has(veth.hostName)) continue;
    // Its netns was read without its pod or its addresses: whose it is cannot be told.
    if (veth.netns !== null && veth.pod === null && veth.podAddresses.length === 0) continue;
    const elsewhere = veth.pod ? podsByRef.get(`${veth.pod.namespace}/${veth.pod.name}`) : undefined;
    problems.push(
      nodeProblem(
        host,
        'datapath-veth-without-pod',
        'warning',
        `veth ${veth.hostName} on ${host.name} belongs to no pod the API places there: ${vethWords(veth)}${elsewhere?.host && elsewhere.host !== host.id ? `, which the API places on ${elsewhere.host.replace(/^node:/, '')}` : ''}`,
        [`${where}: ${veth.evidence}`, 'a leftover of a pod deleted without its network being torn down keeps its address taken and its rules in place'],
        'find the container runtime\'s sandbox behind that netns (crictl pods, crictl inspectp) and remove it, or restart the kubelet on the node so it cleans up',
        elsewhere ? [elsewhere.id] : [],
      ),
    );
  }
  for (const netns of observed.strayNetns) {
    if (netns.pod && here.has(`${netns.pod.namespace}/${netns.pod.name}`)) continue;
    problems.push(
      nodeProblem(
        host,
        'datapath-netns-without-pod',
        'warning',
        `pod netns ${netns.netns} on ${host.name}${netns.pod ? ` (pod ${netns.pod.namespace}/${netns.pod.name})` : ''}${netns.addresses.length > 0 ? `, eth0 ${netns.addresses.join(', ')},` : ''} has no veth and no pod in the API on ${host.name}`,
        [`${where}: netns ${netns.netns}${netns.nsid === null ? '' : ` (nsid ${netns.nsid})`} was read; no veth in the root netns leads to it`],
        'find the container runtime\'s sandbox behind that netns (crictl pods, crictl inspectp) and remove it',
      ),
    );
  }
  return problems;
}

/** What the reading shows wrong on its own: a veth whose ends disagree, a pod IP sent elsewhere. */
function conflictProblems(host: Observed, podsByRef: PodsByRef): Problem[] {
  const where = `read ${whereRead(host.name, host.observed)}`;
  const podOf = (subject: string) => {
    const pod = podsByRef.get(subject.replace(/^pod\//, ''));
    return pod?.host === host.id ? pod : undefined;
  };
  return host.observed.conflicts.flatMap((conflict: DatapathConflict): Problem[] => {
    if (conflict.kind === 'veth-peer-mismatch') {
      return [nodeProblem(host, 'datapath-veth-peer-mismatch', 'warning', `on ${host.name}, ${conflict.message}`, [where], null)];
    }
    if (conflict.kind === 'pod-ip-contradicted') {
      const pod = podOf(conflict.subject);
      const message = `on ${host.name}, the tables send ${pod ? `${pod.namespace}/${pod.name}'s` : "a pod's"} address elsewhere: ${conflict.message}`;
      const why = [where, `${nodeCommands.routes}, ${nodeCommands.neighbours}, ${nodeCommands.fdb}`];
      return [pod ? { kind: 'datapath-pod-ip-contradicted', severity: 'error', subject: podSubject(pod), subjectId: pod.id, message, why, fix: null, related: [host.id] } : nodeProblem(host, 'datapath-pod-ip-contradicted', 'error', message, why, null)];
    }
    return []; // tunnel-peer-incomplete: peerProblems, which names the peer node
  });
}

/** A node's pod ranges as its peers route them: the CNI's where known, else spec.podCIDRs. */
const podRanges = (host: Host): string[] => (host.cniPodCIDRs.length > 0 ? host.cniPodCIDRs : host.podCIDRs);

/** The CNIs that route each peer's pods through a tunnel, one route per peer node. */
const tunnelRouting = new Set(['tunnel-via-pod-cidr', 'tunnel-via-node', 'tunnel-via-vtep']);

/** Another node's pods this node cannot reach: no route to its range, or, for a VXLAN peer, no
 * neighbour or FDB entry for its VTEP. */
function peerProblems(topology: Topology, host: Observed, hostByRange: ReadonlyMap<string, Host>): Problem[] {
  const observed = host.observed;
  const hasTunnelPeers = observed.tunnels.some((t) => t.peers.length > 0);
  if (!tunnelRouting.has(topology.cluster.cni.value.peerRouting) && !hasTunnelPeers) return [];
  const where = `read ${whereRead(host.name, observed)}`;
  const families = new Set(observed.routes.map((r) => (r.dst === 'default' ? (r.family ?? 'inet') : r.dst.includes(':') ? 'inet6' : 'inet')));
  const ownerOf = (cidr: string | null) => {
    const owner = cidr ? hostByRange.get(cidr) : undefined;
    return owner?.id === host.id ? undefined : owner;
  };
  const problems: Problem[] = [];
  const fix = (peer: Host) => `the CNI agent on ${host.name} has not programmed ${peer.name}: check that it runs there and what it logs about ${peer.name} (flannel, for one, writes the route, neighbour and FDB entry per peer from the Node's annotations)`;
  if (wasRead(observed, 'routes')) {
    const destinations = new Set(observed.routes.map((r) => r.dst));
    for (const peer of Object.values(topology.hosts)) {
      if (peer.id === host.id) continue;
      for (const cidr of podRanges(peer)) {
        if (!families.has(cidr.includes(':') ? 'inet6' : 'inet') || destinations.has(cidr)) continue;
        const instead = routeTo(observed.routes, bare(cidr));
        problems.push(
          nodeProblem(
            host,
            'datapath-tunnel-peer-missing',
            'error',
            `${host.name} has no route to node ${peer.name}'s pods (${cidr}): its pods' traffic to them ${instead ? `takes ${instead.dst} dev ${instead.dev ?? '?'} instead of the tunnel` : 'has no route at all'}`,
            [`${where} (${nodeCommands.routes}): no route for ${cidr} in table main`, `Node ${peer.name}: pod range ${cidr}`],
            fix(peer),
            [peer.id],
          ),
        );
      }
    }
  }
  for (const tunnel of observed.tunnels) {
    for (const peer of tunnel.peers) {
      const missing = peer.missing.filter((m) => wasRead(observed, m === 'neighbour' ? 'neighbours' : 'fdb'));
      if (missing.length === 0) continue;
      const owner = ownerOf(peer.podCIDR);
      const what = missing.map((m) => (m === 'neighbour' ? `neighbour entry for ${peer.gateway ?? '?'}` : `FDB entry for ${peer.mac ?? 'its VTEP MAC'}`)).join(' and no ');
      problems.push(
        nodeProblem(
          host,
          'datapath-tunnel-peer-missing',
          'error',
          `${host.name}'s ${tunnel.name} has no ${what}: ${owner ? `node ${owner.name}'s` : 'the'} pods behind ${peer.podCIDR ?? '?'} are unreachable from it`,
          [`${where}: ${peer.podCIDR} via ${peer.gateway ?? '?'} dev ${tunnel.name}`, ...missing.map((m) => (m === 'neighbour' ? `${nodeCommands.neighbours}: nothing for ${peer.gateway ?? '?'} on ${tunnel.name}` : `${nodeCommands.fdb}: nothing for ${peer.mac ?? '?'} on ${tunnel.name}`))],
          owner ? fix(owner) : null,
          owner ? [owner.id] : [],
        ),
      );
    }
  }
  return problems;
}

export const datapathChecks: Check[] = [
  (topology) => {
    const observed = Object.values(topology.hosts).filter((h): h is Observed => h.observed !== undefined);
    if (observed.length === 0) return [];
    const unavailable = new Set(topology.cluster.unavailableKinds.map((k) => k.kind.toLowerCase()));
    const podsByRef: PodsByRef = new Map(Object.values(topology.pods).map((p) => [`${p.namespace}/${p.name}`, p]));
    const hostByRange = new Map(Object.values(topology.hosts).flatMap((h) => podRanges(h).map((cidr) => [cidr, h] as const)));
    const podsByHost = new Map<string, PodRecord[]>();
    for (const pod of Object.values(topology.pods)) {
      if (!pod.host) continue;
      const list = podsByHost.get(pod.host);
      if (list) list.push(pod);
      else podsByHost.set(pod.host, [pod]);
    }
    return observed.flatMap((host) => [
      ...unreadProblem(host),
      // Without the pods, any veth would look unowned.
      ...(unavailable.has('pods') ? [] : attachmentProblems(topology, host, podsByHost.get(host.id) ?? [], podsByRef)),
      ...conflictProblems(host, podsByRef),
      ...(unavailable.has('nodes') ? [] : peerProblems(topology, host, hostByRange)),
      ...(unavailable.has('endpointslices') || unavailable.has('services') ? [] : checkKubeProxyRules(topology, host)),
    ]);
  },
];
