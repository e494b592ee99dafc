/**
 * Which mode kube-proxy runs in, or what implements Services instead, from the API alone: with
 * the evidence it was read from and a confidence, and `unknown` when nothing says.
 */
import type { NodeDatapath } from '../datapath/join.ts';
import { parseYaml } from '../kube/nesting.ts';
import type { ClusterObjects } from '../kube/objects.ts';
import type { Detected, ProxyMode } from '../model/cluster.ts';
import { detectDatapath } from './cni/detect.ts';
import type { DatapathDetection } from './cni/detector.ts';
import { dsNameAndImage, findConfigMap, findDaemonSet, images } from './cni/evidence.ts';

const proxyModes: Record<string, ProxyMode> = { iptables: 'iptables', ipvs: 'ipvs', nftables: 'nftables' };

function kubeProxyMode(objects: ClusterObjects): Detected<ProxyMode> | null {
  const ds = findDaemonSet(objects, (d) => d.metadata.name === 'kube-proxy' || images(d).some((i) => /\/kube-proxy(:|@|$)/.test(i)));
  const cm = findConfigMap(objects, 'kube-proxy', ['kube-system']);
  const config = cm?.data?.['config.conf'];
  if (config !== undefined) {
    let mode: unknown;
    try {
      mode = (parseYaml(config) as { mode?: unknown } | null)?.mode;
    } catch {
      return { value: 'unknown', confidence: 'none', evidence: [`ConfigMap kube-system/kube-proxy config.conf is not valid YAML`] };
    }
    const where = `ConfigMap kube-system/kube-proxy config.conf`;
    if (mode === undefined || mode === null || mode === '') {
      return { value: 'iptables', confidence: 'high', evidence: [`${where} leaves mode empty: kube-proxy's default on Linux is iptables`] };
    }
    const value = proxyModes[String(mode)];
    if (value) return { value, confidence: 'high', evidence: [`${where} mode: ${String(mode)}`] };
    return { value: 'unknown', confidence: 'none', evidence: [`${where} mode: ${String(mode)} is not a mode Podpath knows`] };
  }
  if (ds) {
    const flags = ds.spec.template.spec.containers.flatMap((c) => [...(c.command ?? []), ...(c.args ?? [])]);
    const flag = flags.find((f) => f.startsWith('--proxy-mode='));
    const value = flag ? proxyModes[flag.slice('--proxy-mode='.length)] : undefined;
    if (value) return { value, confidence: 'high', evidence: [`${dsNameAndImage(ds)} runs with ${flag}`] };
    return {
      value: 'iptables',
      confidence: 'medium',
      evidence: [`${dsNameAndImage(ds)} runs without --proxy-mode and no kube-proxy ConfigMap was readable: the Linux default is iptables`],
    };
  }
  // Some platforms (GKE Standard, kubeadm-less installs) run kube-proxy as static pods.
  const staticPod = objects.pods.find(
    (p) =>
      p.metadata.namespace === 'kube-system' &&
      (p.metadata.labels?.component === 'kube-proxy' ||
        p.metadata.labels?.['k8s-app'] === 'kube-proxy' ||
        (p.metadata.name.startsWith('kube-proxy-') && p.spec.containers.some((c) => /kube-proxy/.test(c.image ?? '')))),
  );
  if (staticPod) {
    return {
      value: 'iptables',
      confidence: 'medium',
      evidence: [`Pod kube-system/${staticPod.metadata.name} runs kube-proxy (a static pod; its flags are not read): the Linux default is iptables`],
    };
  }
  return null;
}

/**
 * kube-proxy's mode: its ConfigMap's `mode`, else its DaemonSet's `--proxy-mode` flag, else its
 * static pods (the Linux default, iptables). With no kube-proxy at all, a CNI that implements
 * Services itself (Cilium's kube-proxy replacement, GKE Dataplane V2, Calico's eBPF dataplane)
 * makes it `ebpf`; where kube-proxy still runs beside one, kube-proxy's mode stays, with less
 * confidence, because eBPF takes the Service traffic it sees first.
 */
export function detectProxyMode(objects: ClusterObjects, datapath: DatapathDetection = detectDatapath(objects)): Detected<ProxyMode> {
  const kubeProxy = kubeProxyMode(objects);
  const replacement = datapath.proxyReplacement;
  if (!kubeProxy) {
    if (replacement) {
      return { value: 'ebpf', confidence: replacement.confidence, evidence: [replacement.evidence, 'no kube-proxy DaemonSet, ConfigMap or static pod found'] };
    }
    return { value: 'unknown', confidence: 'none', evidence: ['no kube-proxy DaemonSet, ConfigMap or static pod found'] };
  }
  if (replacement && kubeProxy.value !== 'unknown') {
    return {
      value: kubeProxy.value,
      confidence: 'medium',
      evidence: [...kubeProxy.evidence, `${replacement.evidence}, yet kube-proxy runs too: Service traffic the eBPF programs handle never reaches its rules`],
    };
  }
  return kubeProxy;
}

/**
 * The mode as the API says it, checked against kube-proxy's rules read off nodes (issue 13): where
 * the API says nothing (no kube-proxy object: a managed control plane, a lab), the rules read are
 * the evidence, and certain; where the two disagree, the API's answer stays and the disagreement is
 * said — the traces follow each probed node's rules either way.
 */
export function withObservedProxyMode(detected: Detected<ProxyMode>, observed: ReadonlyMap<string, NodeDatapath>): Detected<ProxyMode> {
  const byMode = new Map<ProxyMode, string[]>();
  for (const [node, datapath] of observed) {
    for (const mode of new Set(datapath.observed.kubeProxy.map((k) => k.mode))) byMode.set(mode, [...(byMode.get(mode) ?? []), node]);
  }
  if (byMode.size === 0) return detected;
  const seen = [...byMode].map(([mode, nodes]) => `kube-proxy's ${mode} rules read on node${nodes.length === 1 ? '' : 's'} ${nodes.join(', ')}`);
  const [only] = byMode.keys();
  if (detected.value === 'unknown' && byMode.size === 1 && only) return { value: only, confidence: 'high', evidence: [...seen, ...detected.evidence] };
  if (byMode.size === 1 && only === detected.value) return { ...detected, confidence: 'high', evidence: [...detected.evidence, ...seen] };
  return { ...detected, evidence: [...detected.evidence, `${seen.join('; ')}: not what the API says; traces through those nodes follow the rules read`] };
}
