/**
 * The network lab: a small cluster's datapath built in network namespaces, as root, driven by
 * the real test control plane (test/cluster). What it makes, all named with one prefix per run
 * (`pp<4 chars>-`, see labPrefixPattern):
 *
 *   <prefix>underlay     a namespace holding bridge `underlay`: the nodes' "switch"
 *   <prefix>n-<node>     one namespace per node: `eth0` on the underlay (172.31.<x>.<i>/24), the
 *                        CNI bridge `cni0` with one veth per pod, kube-proxy's rules, and either
 *                        routes to the other nodes' podCIDRs (host-gw) or flanneld's `flannel.1`
 *   <prefix>p-<pod>      one namespace per pod: `eth0` (the veth's other end) and `lo`
 *
 * and in the API: a Namespace `<prefix>lab`, one Node per node namespace (podCIDR 10.244.<y>/24,
 * set by the lab: the test control plane's kube-controller-manager runs no node-ipam controller),
 * the Pods, their status written as kubelet would once the CNI plugins have attached them.
 * Processes: a forwarder from a Unix socket to the API server's loopback port, one per node from
 * 127.0.0.1:6443 in the node's namespace to that socket, flanneld (vxlan) and kube-proxy per node,
 * a listener per pod. Only loopback and addresses inside these namespaces are ever used; the root
 * namespace gets no link, address, route or rule. Everything is recorded in a state dir under
 * /tmp/podpath-lab/ so that test/lab/clean can remove a crashed run's leftovers.
 *
 *   const lab = await startLab({ kubeconfig, bin: await buildLab(), nodes: ['a', 'b'],
 *     pods: [{ name: 'client', node: 'a' }, { name: 'web', node: 'b', labels: { app: 'web' } }] });
 *   lab.pod('web').netns; lab.pod('web').hostVeth; lab.node('a').netns;
 *   await lab.inPod('client', 'curl', ['-sS', `http://${lab.pod('web').ip}:${podPort}/`]);
 *   await lab.stop();
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execFile, spawnSync } from 'node:child_process';
import { adminApi, readKubeconfig, StopWaiting, waitFor, type KubeApi } from '../cluster/harness.ts';
import { bridgeNetConf, cniAdd, cniDel, loopbackNetConf, newContainerId, type CniCall, type CniResult } from './cni.ts';
import { ipJson, listNetns, pidsIn, run, runIn, startDaemon, type Daemon, type Output } from './netns.ts';

/** Every name the lab makes starts with a match of this; test/lab/clean removes only those. */
export const labPrefixPattern = /^pp[a-z0-9]{4}-/;
export const labStateRoot = '/tmp/podpath-lab';
export const labScripts = { build: join(import.meta.dirname, 'build'), clean: join(import.meta.dirname, 'clean') };

/** Where each pod listens (the Services' targetPort). */
export const podPort = 8080;
/** Where a node namespace reaches the API server: its own loopback, forwarded. */
const apiPortInNode = 6443;
const clusterCIDR = '10.244.0.0/16';

export type ProxyMode = 'iptables' | 'nftables';

export interface LabOptions {
  /** The control plane's kubeconfig (inject('kubeconfig')). */
  kubeconfig: string;
  /** test/lab/build's bin folder: kube-proxy, flanneld. */
  bin: string;
  /** Short node names, 1–10 lowercase letters or digits: ['a', 'b']. */
  nodes: string[];
  pods: { name: string; node: string; labels?: Record<string, string> }[];
  /** kube-proxy's mode in every node; default iptables. */
  proxyMode?: ProxyMode;
  /**
   * How pods reach other nodes: `host-gw` (routes to each podCIDR via the node's underlay
   * address, made by the lab) or `vxlan` (real flanneld, VXLAN backend). Default host-gw.
   */
  overlay?: Overlay;
}

export type Overlay = 'host-gw' | 'vxlan';

export interface LabNode {
  short: string;
  /** The Node's name in the API, also kube-proxy's --hostname-override. */
  name: string;
  netns: string;
  /** The node's address on the underlay (eth0), its InternalIP. */
  ip: string;
  podCIDR: string;
  /** The CNI bridge in the node's namespace. */
  bridge: string;
}

export interface LabPod {
  name: string;
  namespace: string;
  node: LabNode;
  netns: string;
  ip: string;
  containerId: string;
  /** The veth's end in the node's namespace (on the bridge) and its end in the pod's, `eth0`. */
  hostVeth: string;
  ifname: string;
}

export interface Lab {
  readonly prefix: string;
  /** The API namespace the pods live in. */
  readonly namespace: string;
  /** The state dir: logs/, kubeconfig, the Unix socket, host-local's data. */
  readonly dir: string;
  readonly nodes: LabNode[];
  readonly pods: LabPod[];
  readonly underlayNetns: string;
  readonly overlay: Overlay;
  readonly proxyMode: ProxyMode;
  /** The admin client the lab uses. */
  readonly api: KubeApi;
  node(short: string): LabNode;
  pod(name: string): LabPod;
  /**
   * The log file of one of the lab's processes: `forward-root`, `forward-<node>`,
   * `kube-proxy-<node>` (-v=2), `flanneld-<node>`, `pod-<pod>`. Gone after stop().
   */
  logOf(process: string): string;
  /** Pauses (SIGSTOP) or resumes (SIGCONT) one of the lab's processes, named as for logOf: e.g.
   * kube-proxy, to look at the datapath before it catches up with the API. */
  signal(process: string, signal: 'SIGSTOP' | 'SIGCONT'): void;
  /** Runs a command in any of the lab's namespaces (a node's or a pod's netns name). */
  exec(netns: string, command: string, args: string[]): Promise<Output>;
  inNode(short: string, command: string, args: string[]): Promise<Output>;
  inPod(name: string, command: string, args: string[]): Promise<Output>;
  /** Removes everything the lab made; safe to call twice. Rejects, after trying all, if something resisted. */
  stop(): Promise<void>;
}

/** Builds kube-proxy and flanneld if they are not cached yet (test/lab/build); resolves with the bin folder. */
export function buildLab(): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(labScripts.build, [], { maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (!error) resolve(stdout.trim().split('\n').pop() ?? '');
      else reject(new Error(`test/lab/build failed (${error.code ?? error.signal}): ${stderr.trim().split('\n').slice(-3).join(' | ')}`));
    });
  });
}

/**
 * Whether a test file can use the lab here, building its binaries if so: `reason` says why not
 * ('' when it can), `bin` is the binaries' folder. Each file then fails under CI=true, where a
 * missing part must not pass as a skip, and skips saying why elsewhere.
 */
export async function prepareLab(kubeconfig: string): Promise<{ reason: string; bin: string }> {
  const reason = !kubeconfig ? 'the test control plane is unavailable (see "control plane unavailable" above)' : labUnavailableReason();
  if (reason) return { reason, bin: '' };
  try {
    return { reason: '', bin: await buildLab() };
  } catch (error) {
    return { reason: error instanceof Error ? error.message : String(error), bin: '' };
  }
}

/** Why this process cannot build the lab, or null: it must be root and able to make a netns. */
export function labUnavailableReason(): string | null {
  if (process.platform !== 'linux') return `the lab needs Linux network namespaces (this is ${process.platform})`;
  if (process.getuid?.() !== 0) return 'the lab needs root (network namespaces, iptables)';
  for (const tool of ['ip', 'iptables-save', 'nft', 'curl', '/usr/lib/cni/bridge', '/usr/lib/cni/host-local']) {
    const found = tool.startsWith('/') ? spawnSync('test', ['-x', tool]).status === 0 : spawnSync('sh', ['-c', `command -v ${tool}`], { env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' } }).status === 0;
    if (!found) return `${tool} is missing (npm run system-deps installs containernetworking-plugins, iptables, nftables, conntrack)`;
  }
  const probe = `pp${randomBytes(2).toString('hex')}-probe`;
  const made = spawnSync('ip', ['netns', 'add', probe], { encoding: 'utf8' });
  if (made.status !== 0) return `cannot create a network namespace: ${made.stderr.trim()}`;
  spawnSync('ip', ['netns', 'del', probe]);
  return null;
}

export async function startLab(options: LabOptions): Promise<Lab> {
  // Leftovers of labs whose process died (kill -9, a crashed worker) go first.
  await run(labScripts.clean, []).catch(() => undefined);
  const prefix = `pp${randomBytes(3).toString('base64url').toLowerCase().replace(/[^a-z0-9]/g, '0').slice(0, 4)}-`;
  const id = prefix.slice(0, -1);
  const dir = join(labStateRoot, id);
  mkdirSync(labStateRoot, { recursive: true });
  mkdirSync(dir); // throws if another run holds this prefix
  mkdirSync(join(dir, 'logs'));
  mkdirSync(join(dir, 'pids'));
  // The marker test/lab/clean looks for before touching anything with this prefix.
  writeFileSync(join(dir, '.podpath-lab'), `prefix=${prefix}\nkubeconfig=${options.kubeconfig}\nowner=${process.pid}\n`);

  const api = adminApi({ kubeconfig: options.kubeconfig });
  const namespace = `${prefix}lab`;
  const labels = { 'podpath.dev/lab': id };
  const made = {
    netns: [] as string[],
    daemons: [] as Daemon[],
    nodes: [] as string[],
    namespace: false,
    attachments: [] as { call: CniCall; result?: CniResult }[],
  };
  const nodes: LabNode[] = [];
  const pods: LabPod[] = [];
  const log = (name: string) => join(dir, 'logs', `${name}.log`);

  let stopped = false;
  // A worker that exits without afterAll (a crash, process.exit), or after a stop() that could
  // not remove everything, still removes the namespaces.
  const onExit = () => spawnSync(labScripts.clean, [prefix], { stdio: 'ignore' });
  process.once('exit', onExit);

  /** Starts a process and records its pid, for test/lab/clean should this run crash. */
  function daemon(name: string, netns: string | undefined, command: string, args: string[], env?: Record<string, string>): Daemon {
    const d = startDaemon(name, netns, command, args, log(name), env);
    made.daemons.push(d);
    writeFileSync(join(dir, 'pids', `${name}.pid`), `${d.pid}\n`);
    return d;
  }

  /** waitFor, giving up at once when one of the lab's processes has died. */
  function waitWhileAlive<T>(fn: () => T | Promise<T>, timeoutMs: number, what: string) {
    return waitFor(
      async () => {
        const dead = made.daemons.find((d) => d.exited);
        if (dead) throw new StopWaiting(new Error(`${dead.name} exited while waiting for ${what}`));
        return fn();
      },
      timeoutMs,
      what,
    );
  }

  async function addNetns(name: string): Promise<string> {
    if ((await listNetns()).includes(name)) throw new Error(`network namespace ${name} exists already; refusing to reuse it`);
    await run('ip', ['netns', 'add', name]);
    made.netns.push(name);
    await run('ip', ['-n', name, 'link', 'set', 'lo', 'up']);
    return name;
  }

  async function stop(): Promise<void> {
    if (stopped) return;
    stopped = true;
    const errors: string[] = [];
    const attempt = async (what: string, fn: () => Promise<unknown>) => {
      try {
        await fn();
      } catch (error) {
        errors.push(`${what}: ${error instanceof Error ? error.message : String(error)}`);
      }
    };
    for (const d of made.daemons.toReversed()) await attempt(`stopping ${d.name}`, () => d.stop());
    for (const a of made.attachments.toReversed()) await attempt(`CNI DEL ${a.call.podNetns}/${a.call.ifname}`, () => cniDel(a.call, a.result));
    for (const ns of made.netns.toReversed()) {
      // Anything still running in a namespace the lab made is the lab's.
      for (const pid of await pidsIn(ns)) await attempt(`killing ${pid} in ${ns}`, () => run('kill', ['-KILL', String(pid)]));
      await attempt(`deleting netns ${ns}`, () => run('ip', ['netns', 'del', ns]));
    }
    if (made.namespace) {
      for (const p of pods) await attempt(`deleting Pod ${p.name}`, () => api.deleteObject(`/api/v1/namespaces/${namespace}/pods/${p.name}`));
      await attempt(`deleting Namespace ${namespace}`, () => api.deleteObject(`/api/v1/namespaces/${namespace}`, { gracePeriodSeconds: null }));
    }
    for (const n of made.nodes) await attempt(`deleting Node ${n}`, () => api.deleteObject(`/api/v1/nodes/${n}`, { gracePeriodSeconds: null }));
    await api.close();
    if (errors.length === 0) {
      process.off('exit', onExit);
      rmSync(dir, { recursive: true, force: true });
    } else throw new Error(`the lab ${prefix} could not remove everything (state kept in ${dir}; test/lab/clean ${prefix} retries):\n${errors.join('\n')}`);
  }

  try {
    // The API server's port, reached from each node namespace through a Unix socket.
    const creds = readKubeconfig(options.kubeconfig, 'admin');
    const apiTarget = new URL(creds.server);
    const socket = join(dir, 'apiserver.sock');
    const forwarder = join(import.meta.dirname, 'forward.ts');
    const rootForward = daemon('forward-root', undefined, process.execPath, [forwarder, socket, `${apiTarget.hostname}:${apiTarget.port}`]);
    await rootForward.waitForLog(/listening/);
    const nodeKubeconfig = join(dir, 'node.kubeconfig');
    writeFileSync(nodeKubeconfig, kubeconfigFor(`https://127.0.0.1:${apiPortInNode}`, creds.ca, creds.token ?? ''), { mode: 0o600 });

    await api.createNamespace(namespace, labels);
    made.namespace = true;

    // The underlay: one bridge in its own namespace, a veth to each node.
    const underlayNetns = await addNetns(`${prefix}underlay`);
    await run('ip', ['-n', underlayNetns, 'link', 'add', 'underlay', 'type', 'bridge']);
    await run('ip', ['-n', underlayNetns, 'link', 'set', 'underlay', 'up']);
    const underlayNet = `172.31.${randomInt(256)}`;
    const podNetBase = 1 + randomInt(200);

    for (const [i, short] of options.nodes.entries()) {
      if (!/^[a-z0-9]{1,10}$/.test(short)) throw new Error(`node name ${short}: use 1–10 lowercase letters or digits`);
      const node: LabNode = {
        short,
        name: `${prefix}${short}`,
        netns: await addNetns(`${prefix}n-${short}`),
        ip: `${underlayNet}.${i + 1}`,
        podCIDR: `10.244.${podNetBase + i}.0/24`,
        bridge: 'cni0',
      };
      nodes.push(node);
      const ns = node.netns;
      await run('ip', ['-n', underlayNetns, 'link', 'add', `to-${short}`, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns]);
      await run('ip', ['-n', underlayNetns, 'link', 'set', `to-${short}`, 'master', 'underlay', 'up']);
      await run('ip', ['-n', ns, 'addr', 'add', `${node.ip}/24`, 'dev', 'eth0']);
      await run('ip', ['-n', ns, 'link', 'set', 'eth0', 'up']);
      // A node routes between its pods, the underlay and Services. Bridged pod-to-pod traffic on
      // one node must pass iptables too, or a Service's reply from a same-node endpoint skips the
      // un-DNAT (kubeadm asks for the same); both sysctls are per network namespace.
      await runIn(ns, 'sysctl', ['-qw', 'net.ipv4.ip_forward=1', 'net.bridge.bridge-nf-call-iptables=1']);
      const inNode = daemon(`forward-${short}`, ns, process.execPath, [forwarder, `127.0.0.1:${apiPortInNode}`, socket]);
      await inNode.waitForLog(/listening/);
      await api.createNode(node.name, { podCIDR: node.podCIDR, internalIP: node.ip, labels });
      made.nodes.push(node.name);
      // kubelet registers a Node with this annotation; flanneld adds its own to the map and
      // panics on a Node that has none at all.
      await api.patch(`/api/v1/nodes/${node.name}`, { metadata: { annotations: { 'volumes.kubernetes.io/controller-managed-attach-detach': 'true' } } });
    }

    const overlay = options.overlay ?? 'host-gw';
    /** The pods' MTU per node: the underlay's on host-gw, flannel's (FLANNEL_MTU) on VXLAN. */
    const mtu = new Map<string, number>();
    if (overlay === 'host-gw') {
      // Each node routes the other nodes' podCIDRs to their underlay address, as flannel's
      // host-gw backend does.
      for (const node of nodes) {
        mtu.set(node.short, 1500);
        for (const other of nodes) {
          if (other !== node) await run('ip', ['-n', node.netns, 'route', 'add', other.podCIDR, 'via', other.ip, 'dev', 'eth0']);
        }
      }
    } else {
      // Real flanneld in each node: kube subnet manager (its lease is the Node's podCIDR; it
      // publishes its VTEP in the Node's annotations), VXLAN backend (flannel.1 on eth0), and
      // its own iptables rules (--ip-masq, as the kube-flannel manifest runs it).
      const netConf = join(dir, 'net-conf.json');
      writeFileSync(netConf, JSON.stringify({ Network: clusterCIDR, Backend: { Type: 'vxlan' } }));
      const subnetFile = (node: LabNode) => join(dir, `subnet-${node.short}.env`);
      for (const node of nodes) {
        daemon(
          `flanneld-${node.short}`,
          node.netns,
          join(options.bin, 'flanneld'),
          ['--kube-subnet-mgr', `--kubeconfig-file=${nodeKubeconfig}`, '--iface=eth0', '--ip-masq', `--net-config-path=${netConf}`, `--subnet-file=${subnetFile(node)}`],
          { NODE_NAME: node.name },
        );
      }
      for (const node of nodes) {
        // Complete once it names the MTU (flanneld writes the file in one go, but may be mid-write).
        const env = await waitWhileAlive(() => (readEnvFile(subnetFile(node))?.FLANNEL_MTU ? readEnvFile(subnetFile(node)) : undefined), 60_000, `flanneld's ${subnetFile(node)}`);
        mtu.set(node.short, Number(env.FLANNEL_MTU));
      }
      // Ready once every node routes every other node's podCIDR through flannel.1.
      for (const node of nodes) {
        await waitWhileAlive(
          async () => {
            const routes = await ipJson<{ dst: string; dev: string }[]>(node.netns, ['route', 'show']);
            return nodes.every((o) => o === node || routes.some((r) => r.dst === o.podCIDR && r.dev === 'flannel.1'));
          },
          60_000,
          `flanneld's routes in ${node.netns}`,
        );
      }
    }

    // Pods, in kubelet's order: the object (scheduled by nodeName), the sandbox's netns, CNI ADD,
    // the container (the listener), then the status.
    for (const spec of options.pods) {
      const node = nodes.find((n) => n.short === spec.node);
      if (!node) throw new Error(`pod ${spec.name}: no node ${spec.node}`);
      await api.createPod(namespace, {
        name: spec.name,
        nodeName: node.name,
        labels: { ...labels, ...spec.labels },
        ports: [{ name: 'http', containerPort: podPort, protocol: 'TCP' }],
      });
      const netns = await addNetns(`${prefix}p-${spec.name}`);
      const containerId = newContainerId();
      const lo: CniCall = { nodeNetns: node.netns, containerId, podNetns: netns, ifname: 'lo', conf: loopbackNetConf };
      made.attachments.push({ call: lo, result: await cniAdd(lo) });
      const eth0: CniCall = {
        nodeNetns: node.netns,
        containerId,
        podNetns: netns,
        ifname: 'eth0',
        conf: bridgeNetConf({ podCIDR: node.podCIDR, clusterCIDR, mtu: mtu.get(node.short)!, ipamDataDir: join(dir, 'ipam', node.short) }),
      };
      const attachment: { call: CniCall; result?: CniResult } = { call: eth0 };
      made.attachments.push(attachment);
      const result = await cniAdd(eth0);
      attachment.result = result;
      const ip = result.ips?.[0]?.address.split('/')[0];
      const hostVeth = result.interfaces?.find((i) => !i.sandbox && i.name !== node.bridge)?.name;
      if (!ip || !hostVeth) throw new Error(`CNI ADD for ${spec.name} returned no address or host veth: ${JSON.stringify(result)}`);
      const server = daemon(`pod-${spec.name}`, netns, process.execPath, [join(import.meta.dirname, 'pod-server.ts'), spec.name, String(podPort)]);
      await server.waitForLog(/listening/);
      await api.setPodStatus(namespace, spec.name, { podIP: ip, hostIP: node.ip });
      pods.push({ name: spec.name, namespace, node, netns, ip, containerId, hostVeth, ifname: 'eth0' });
    }

    // kube-proxy in each node, reaching the API server through the node's forwarder.
    const mode = options.proxyMode ?? 'iptables';
    for (const node of nodes) {
      daemon(
        `kube-proxy-${node.short}`,
        node.netns,
        join(options.bin, 'kube-proxy'),
        [
          `--kubeconfig=${nodeKubeconfig}`,
          `--hostname-override=${node.name}`,
          `--proxy-mode=${mode}`,
          `--cluster-cidr=${clusterCIDR}`,
          '--metrics-bind-address=127.0.0.1:10249',
          '--healthz-bind-address=127.0.0.1:10256',
          // Leave the conntrack table's size alone: nf_conntrack_max and its hash size are the
          // whole machine's, not the namespace's.
          '--conntrack-max-per-core=0',
          '--conntrack-tcp-timeout-established=0',
          '--conntrack-tcp-timeout-close-wait=0',
          '--v=2',
        ],
      );
    }
    // Ready once its health check answers 200: the first full sync of the rules is done.
    for (const node of nodes) {
      await waitWhileAlive(
        async () => {
          return runIn(node.netns, 'curl', ['-fsS', '--max-time', '2', `http://127.0.0.1:10256/healthz`]).then(() => true);
        },
        60_000,
        `kube-proxy in ${node.netns} healthy`,
      );
    }

    const byNetns = new Set(made.netns);
    const exec = (netns: string, command: string, args: string[]) => {
      if (!byNetns.has(netns)) throw new Error(`${netns} is not one of this lab's namespaces`);
      return runIn(netns, command, args);
    };
    const node = (short: string) => nodes.find((n) => n.short === short) ?? fail(`no node ${short}`);
    const pod = (name: string) => pods.find((p) => p.name === name) ?? fail(`no pod ${name}`);
    return {
      prefix,
      namespace,
      dir,
      nodes,
      pods,
      underlayNetns,
      overlay,
      proxyMode: mode,
      api,
      node,
      pod,
      logOf: log,
      signal: (name, signal) => {
        const daemon = made.daemons.find((d) => d.name === name && !d.exited);
        if (!daemon) throw new Error(`lab ${prefix}: no running process ${name}`);
        process.kill(daemon.pid, signal);
      },
      exec,
      inNode: (short, command, args) => exec(node(short).netns, command, args),
      inPod: (name, command, args) => exec(pod(name).netns, command, args),
      stop,
    };
  } catch (error) {
    // The state dir goes with the clean-up: keep the end of every process's log in the error.
    const logs = made.daemons.map((d) => `----- ${d.name}${d.exited ? ' (exited)' : ''}: last lines of its log -----\n${tailOf(d.log, 12)}`);
    const failure = new Error(`lab ${prefix}: ${error instanceof Error ? error.message : String(error)}\n${logs.join('\n')}`, { cause: error });
    await stop().catch((cleanup: unknown) => {
      throw new AggregateError([failure, cleanup], `${failure.message}\n(and clean-up failed)`);
    });
    throw failure;
  }
}

function tailOf(path: string, lines: number): string {
  try {
    return readFileSync(path, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/** The kubeconfig every node's components use: the in-namespace forwarder, the admin token. */
function kubeconfigFor(server: string, ca: string, token: string): string {
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '- name: lab',
    '  cluster:',
    `    server: ${server}`,
    `    certificate-authority-data: ${Buffer.from(ca).toString('base64')}`,
    'users:',
    '- name: lab',
    '  user:',
    `    token: ${token}`,
    'contexts:',
    '- name: lab',
    '  context: {cluster: lab, user: lab}',
    'current-context: lab',
    '',
  ].join('\n');
}

/** A KEY=VALUE file (flannel's subnet.env), or undefined while it does not exist. */
function readEnvFile(path: string): Record<string, string> | undefined {
  if (!existsSync(path)) return undefined;
  return Object.fromEntries(
    readFileSync(path, 'utf8')
      .split('\n')
      .filter((l) => l.includes('='))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
}

const randomInt = (n: number) => randomBytes(2).readUInt16BE(0) % n;

function fail(message: string): never {
  throw new Error(message);
}
