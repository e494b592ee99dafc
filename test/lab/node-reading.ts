/**
 * A node of the lab read the way a probe reads one (shared/datapath/reading.ts): every node
 * command run in the node's namespace, each of its pods' `eth0` read in the pod's namespace, the
 * pod's nsid as the node's namespace numbers it (`ip netns list-id`). IPVS is not read: the lab
 * runs kube-proxy in iptables or nftables mode only.
 *
 * saveReading/loadReading keep a reading as one file per command, the way
 * test/fixtures/datapath/lab-kube-proxy-1.36-* hold them.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { nodeCommands, podCommands, type CommandResult, type NodeCommand, type NodeReading, type PodCommand } from '../../shared/datapath/reading.ts';
import { emptyObjects, type ClusterObjects, type EndpointSlice, type KubeNode, type Namespace, type Pod, type Service } from '../../shared/kube/objects.ts';
import type { Lab, LabNode } from './lab.ts';

const readCommands: NodeCommand[] = ['links', 'addresses', 'routes', 'neighbours', 'netnsIds', 'bridgeLinks', 'fdb', 'iptables', 'nftables'];

/** The command's words, as nodeCommands spells them: `ip -j -d link` → ['ip', '-j', '-d', 'link']. */
async function runCommand(lab: Lab, netns: string, command: string): Promise<CommandResult> {
  const [tool, ...args] = command.split(' ') as [string, ...string[]];
  try {
    return { status: 'ok', command, output: (await lab.exec(netns, tool, args)).stdout };
  } catch (error) {
    return { status: 'failed', command, exitCode: null, message: error instanceof Error ? error.message : String(error) };
  }
}

/**
 * The lab's objects as the API lists them now, with the CNI's objects a real flannel cluster has:
 * the lab runs flanneld as a process, so without its DaemonSet and net-conf.json the CNI would
 * not be detected from the API.
 */
export async function listLabObjects(lab: Lab): Promise<ClusterObjects> {
  const ns = lab.namespace;
  const objects = emptyObjects();
  const ours = new Set(lab.nodes.map((n) => n.name));
  objects.nodes = (await lab.api.list<KubeNode>('/api/v1/nodes')).filter((n) => ours.has(n.metadata.name));
  objects.namespaces = [await lab.api.get<Namespace>(`/api/v1/namespaces/${ns}`)];
  objects.pods = await lab.api.list<Pod>(`/api/v1/namespaces/${ns}/pods`);
  objects.services = await lab.api.list<Service>(`/api/v1/namespaces/${ns}/services`);
  objects.endpointSlices = await lab.api.list<EndpointSlice>(`/apis/discovery.k8s.io/v1/namespaces/${ns}/endpointslices`);
  objects.daemonSets.push({ metadata: { name: 'kube-flannel-ds', namespace: 'kube-flannel', uid: 'lab-flannel-ds' }, spec: { template: { spec: { hostNetwork: true, containers: [{ name: 'kube-flannel', image: 'flannel/flannel:v0.28.11' }] } } } });
  objects.configMaps.push({ metadata: { name: 'kube-flannel-cfg', namespace: 'kube-flannel', uid: 'lab-flannel-cm' }, data: { 'net-conf.json': '{"Network":"10.244.0.0/16","Backend":{"Type":"vxlan"}}' } });
  return objects;
}

export async function readLabNode(lab: Lab, node: LabNode): Promise<NodeReading> {
  const commands: NodeReading['commands'] = {};
  for (const key of readCommands) commands[key] = await runCommand(lab, node.netns, nodeCommands[key]);
  const ids = commands.netnsIds?.status === 'ok' ? (JSON.parse(commands.netnsIds.output || '[]') as { nsid: number; name?: string }[]) : [];
  const pods: NodeReading['pods'] = [];
  for (const pod of lab.pods.filter((p) => p.node === node)) {
    const podReadings: Partial<Record<PodCommand, CommandResult>> = {};
    for (const key of Object.keys(podCommands) as PodCommand[]) podReadings[key] = await runCommand(lab, pod.netns, podCommands[key]);
    pods.push({ nsid: ids.find((i) => i.name === pod.netns)?.nsid ?? null, netns: pod.netns, pod: { namespace: pod.namespace, name: pod.name }, commands: podReadings });
  }
  return { node: node.name, readAt: new Date().toISOString(), source: 'netns', target: node.netns, commands, pods };
}

const fileOf = (command: string) => `${command.replaceAll(' ', '_')}.${command.startsWith('iptables') ? 'txt' : 'json'}`;

/** One folder per reading: `reading.json` (everything but the outputs), one file per output. */
export function saveReading(dir: string, reading: NodeReading): void {
  mkdirSync(dir, { recursive: true });
  const strip = (commands: Partial<Record<string, CommandResult>>, prefix: string) =>
    Object.fromEntries(
      Object.entries(commands).map(([key, result]) => {
        if (result?.status !== 'ok') return [key, result];
        const file = `${prefix}${fileOf(result.command)}`;
        writeFileSync(join(dir, file), result.output);
        return [key, { status: 'ok', command: result.command, file }];
      }),
    );
  const pods = reading.pods.map((p) => ({ ...p, commands: strip(p.commands, `pod-${p.pod?.name ?? p.netns}-`) }));
  writeFileSync(join(dir, 'reading.json'), `${JSON.stringify({ ...reading, commands: strip(reading.commands, ''), pods }, null, 2)}\n`);
}

export function loadReading(dir: string): NodeReading {
  const saved = JSON.parse(readFileSync(join(dir, 'reading.json'), 'utf8')) as NodeReading;
  const load = <K extends string>(commands: Partial<Record<K, CommandResult | { status: 'ok'; command: string; file: string }>>) =>
    Object.fromEntries(
      Object.entries(commands).map(([key, result]) => {
        const r = result as { status: string; command: string; file?: string };
        return [key, r.file ? { status: 'ok', command: r.command, output: readFileSync(join(dir, r.file), 'utf8') } : r];
      }),
    );
  return { ...saved, commands: load(saved.commands), pods: saved.pods.map((p) => ({ ...p, commands: load(p.commands) })) };
}

/** The node folders of a saved capture. */
export const readingDirs = (dir: string) => readdirSync(dir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => join(dir, d.name));
