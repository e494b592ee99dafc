/**
 * Generates the bundled demo cluster, `assets/demo-cluster.podpath.json`: the snapshot Podpath
 * opens when no cluster is reachable, so a new user sees a real picture at once.
 *
 * The demo is a small kubeadm cluster (one control plane, two workers) with Flannel VXLAN and
 * kube-proxy in iptables mode, an ingress-nginx controller, a three-tier shop behind
 * NetworkPolicies, and the awkward cases a real cluster has: a NodePort, a Service whose pods
 * are not ready, one that selects nothing, an ExternalName, a pod with a native sidecar, a
 * terminating endpoint from a rollout and a pod that cannot be scheduled.
 *
 * Everything is derived, as the cluster itself would derive it: pod IPs are handed out in
 * order from each node's podCIDR, EndpointSlices are computed from the Services' selectors and
 * the pods' readiness as the EndpointSlice controller does, names and uids come from a hash of
 * the object's identity. No randomness and no clock, so re-running gives a byte-identical file;
 * `test/demo-cluster.test.ts` checks that the committed file is this script's output.
 *
 * Run: `node scripts/make-demo.ts` (or `npm run make:demo`).
 */
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { writeFileAtomicSync } from '../electron/backend/atomic-write.ts';
import type {
  ClusterObjects,
  ConfigMap,
  Container,
  DaemonSet,
  EndpointSlice,
  Ingress,
  IngressClass,
  KubeNode,
  Namespace,
  NetworkPolicy,
  ObjectMeta,
  Pod,
  Service,
  ServicePort,
} from '../shared/kube/objects.ts';
import { serializeSnapshot, snapshotFormat, snapshotVersion } from '../shared/snapshot/format.ts';
import type { Snapshot } from '../shared/snapshot/format.ts';

export const demoSnapshotPath = fileURLToPath(new URL('../assets/demo-cluster.podpath.json', import.meta.url));

const kubernetesVersion = 'v1.33.2';
const clusterCreatedMs = Date.UTC(2025, 5, 30, 8, 0, 0);
/** When the demo "was captured": a day and an hour after the cluster was created. */
const capturedAt = '2025-07-01T09:00:00Z';
const capturedMinute = 25 * 60;

const podNetwork = '10.244.0.0/16';
const kubernetesServiceIP = '10.96.0.1';
const kubeDnsIP = '10.96.0.10';
const loadBalancerIP = '203.0.113.10';

// ---------------------------------------------------------------------------------------------
// Deterministic identity: hashes stand in for the randomness the API server and controllers use.

function digest(seed: string): Buffer {
  return createHash('sha256').update(seed).digest();
}

/** A version-4-shaped UUID derived from the object's kind and name, like the API server's uids. */
function uid(kind: string, namespace: string | undefined, name: string): string {
  const hex = digest(`uid:${kind}/${namespace ?? ''}/${name}`).toString('hex');
  const variant = ((parseInt(hex.charAt(16), 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** The alphabet of Kubernetes' generated name suffixes and pod-template hashes (no vowels, no 0/1/3). */
const safeAlphabet = 'bcdfghjklmnpqrstvwxz2456789';

function safeString(seed: string, length: number): string {
  const bytes = digest(`name:${seed}`);
  let out = '';
  for (let i = 0; i < length; i++) out += safeAlphabet.charAt((bytes[i] ?? 0) % safeAlphabet.length);
  return out;
}

/** A pod-template or controller-revision hash: Kubernetes writes the decimal FNV-32 hash of the
 * template through the same alphabet, which is why these look like `7d4b9c8f6d`. */
function templateHashOf(seed: string): string {
  const decimal = String(digest(`template:${seed}`).readUInt32BE(0));
  return [...decimal].map((digit) => safeAlphabet.charAt(digit.charCodeAt(0) % safeAlphabet.length)).join('');
}

/** A fixed instant, `minutes` (and `seconds`) after the cluster was created, as the API writes it. */
function at(minutes: number, seconds = 0): string {
  return new Date(clusterCreatedMs + minutes * 60_000 + seconds * 1000).toISOString().replace('.000Z', 'Z');
}

function meta(kind: string, namespace: string | undefined, name: string, created: number, extra: Partial<ObjectMeta> = {}): ObjectMeta {
  return {
    name,
    ...(namespace === undefined ? {} : { namespace }),
    uid: uid(kind, namespace, name),
    ...extra,
    creationTimestamp: at(created),
  };
}

// ---------------------------------------------------------------------------------------------
// Nodes

interface NodePlan {
  name: string;
  index: number;
  internalIP: string;
  externalIP: string;
  zone: string;
  isControlPlane: boolean;
}

const region = 'demo-region-1';

const nodePlans: NodePlan[] = [
  { name: 'demo-control-plane', index: 0, internalIP: '172.18.0.2', externalIP: '203.0.113.2', zone: 'demo-region-1a', isControlPlane: true },
  { name: 'demo-worker-1', index: 1, internalIP: '172.18.0.3', externalIP: '203.0.113.3', zone: 'demo-region-1b', isControlPlane: false },
  { name: 'demo-worker-2', index: 2, internalIP: '172.18.0.4', externalIP: '203.0.113.4', zone: 'demo-region-1c', isControlPlane: false },
];

const controlPlane = 'demo-control-plane';
const worker1 = 'demo-worker-1';
const worker2 = 'demo-worker-2';
const allNodes = nodePlans.map((n) => n.name);

function nodePlan(name: string): NodePlan {
  const plan = nodePlans.find((n) => n.name === name);
  if (!plan) throw new Error(`no node ${name}`);
  return plan;
}

function podCIDR(node: NodePlan): string {
  return `10.244.${node.index}.0/24`;
}

/** A locally administered unicast MAC, as Linux gives a new VXLAN device. */
function vtepMac(node: string): string {
  const bytes = [...digest(`mac:${node}`).subarray(0, 6)];
  bytes[0] = ((bytes[0] ?? 0) & 0xfc) | 0x02;
  return bytes.map((b) => b.toString(16).padStart(2, '0')).join(':');
}

function makeNode(plan: NodePlan): KubeNode {
  const roleLabels: Record<string, string> = plan.isControlPlane
    ? { 'node-role.kubernetes.io/control-plane': '', 'node.kubernetes.io/exclude-from-external-load-balancers': '' }
    : {};
  return {
    metadata: meta('Node', undefined, plan.name, plan.index * 3, {
      labels: {
        'beta.kubernetes.io/arch': 'amd64',
        'beta.kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'amd64',
        'kubernetes.io/hostname': plan.name,
        'kubernetes.io/os': 'linux',
        ...roleLabels,
        'topology.kubernetes.io/region': region,
        'topology.kubernetes.io/zone': plan.zone,
      },
      // What flanneld (kube-subnet-mgr) writes on each node: the VXLAN VTEP its peers program.
      annotations: {
        'flannel.alpha.coreos.com/backend-data': JSON.stringify({ VNI: 1, VtepMAC: vtepMac(plan.name) }),
        'flannel.alpha.coreos.com/backend-type': 'vxlan',
        'flannel.alpha.coreos.com/kube-subnet-manager': 'true',
        'flannel.alpha.coreos.com/public-ip': plan.internalIP,
      },
    }),
    spec: { podCIDR: podCIDR(plan), podCIDRs: [podCIDR(plan)] },
    status: {
      addresses: [
        { type: 'InternalIP', address: plan.internalIP },
        { type: 'ExternalIP', address: plan.externalIP },
        { type: 'Hostname', address: plan.name },
      ],
      conditions: [
        { type: 'MemoryPressure', status: 'False' },
        { type: 'DiskPressure', status: 'False' },
        { type: 'PIDPressure', status: 'False' },
        { type: 'Ready', status: 'True' },
      ],
      nodeInfo: {
        kubeletVersion: kubernetesVersion,
        osImage: 'Debian GNU/Linux 12 (bookworm)',
        containerRuntimeVersion: 'containerd://2.1.3',
      },
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Namespaces

const namespaceLabels: Record<string, Record<string, string>> = {
  default: {},
  'kube-node-lease': {},
  'kube-public': {},
  'kube-system': {},
  'kube-flannel': { 'k8s-app': 'flannel', 'pod-security.kubernetes.io/enforce': 'privileged' },
  'ingress-nginx': { 'app.kubernetes.io/instance': 'ingress-nginx', 'app.kubernetes.io/name': 'ingress-nginx' },
  monitoring: { 'app.kubernetes.io/part-of': 'monitoring' },
  shop: { team: 'shop' },
  payments: { team: 'payments' },
};

const namespaceCreated: Record<string, number> = {
  default: 0,
  'kube-node-lease': 0,
  'kube-public': 0,
  'kube-system': 0,
  'kube-flannel': 4,
  'ingress-nginx': 20,
  monitoring: 30,
  shop: 60,
  payments: 75,
};

function makeNamespace(name: string): Namespace {
  return {
    metadata: meta('Namespace', undefined, name, namespaceCreated[name] ?? 0, {
      labels: { ...namespaceLabels[name], 'kubernetes.io/metadata.name': name },
    }),
    status: { phase: 'Active' },
  };
}

// ---------------------------------------------------------------------------------------------
// Pods

type PodState = 'ready' | 'notReady' | 'terminating' | 'pending';

interface PodPlan {
  namespace: string;
  name: string;
  labels: Record<string, string>;
  owner: { kind: string; name: string };
  /** Absent for a pod the scheduler could not place. */
  node?: string;
  hostNetwork?: boolean;
  dnsPolicy: string;
  containers: Container[];
  initContainers?: Container[];
  created: number;
  state: PodState;
  restartCount?: number;
  /** The StatefulSet pod's stable DNS name under its governing headless Service. */
  hostname?: string;
}

interface Workload {
  kind: 'Deployment' | 'StatefulSet' | 'DaemonSet';
  namespace: string;
  name: string;
  /** The pod template's labels; the selector is these. */
  labels: Record<string, string>;
  containers: Container[];
  initContainers?: Container[];
  hostNetwork?: boolean;
  dnsPolicy?: string;
  /** The node of each replica in creation order; `null` for one the scheduler could not place. */
  nodes: (string | null)[];
  created: number;
  state?: PodState;
  restartCount?: number;
  /** Salt for the pod-template hash: a rollout changes the template, so the hash. */
  revision?: string;
}

/** IPs are handed out per node in pod creation order, as host-local IPAM does: .1 is cni0. */
const nextHostOctet = new Map<string, number>();

function allocatePodIP(node: NodePlan): string {
  const octet = nextHostOctet.get(node.name) ?? 2;
  nextHostOctet.set(node.name, octet + 1);
  return `10.244.${node.index}.${octet}`;
}

function conditions(state: PodState): { type: string; status: string }[] {
  if (state === 'pending') return [{ type: 'PodScheduled', status: 'False' }];
  const ready = state === 'notReady' ? 'False' : 'True';
  return [
    { type: 'PodReadyToStartContainers', status: 'True' },
    { type: 'Initialized', status: 'True' },
    { type: 'Ready', status: ready },
    { type: 'ContainersReady', status: ready },
    { type: 'PodScheduled', status: 'True' },
  ];
}

const podHostnames = new Map<string, string>();

function makePod(plan: PodPlan): Pod {
  const ownerUid = plan.owner.kind === 'Node' ? uid('Node', undefined, plan.owner.name) : uid(plan.owner.kind, plan.namespace, plan.owner.name);
  const metadata = meta('Pod', plan.namespace, plan.name, plan.created, {
    labels: plan.labels,
    ownerReferences: [{ kind: plan.owner.kind, name: plan.owner.name, uid: ownerUid, controller: true }],
  });
  if (plan.state === 'terminating') {
    // Deleted a few seconds before the capture with the default 30 s grace period.
    metadata.deletionTimestamp = at(capturedMinute, 27);
  }
  if (plan.hostname) podHostnames.set(`${plan.namespace}/${plan.name}`, plan.hostname);
  const spec: Pod['spec'] = {
    ...(plan.node ? { nodeName: plan.node } : {}),
    ...(plan.hostNetwork ? { hostNetwork: true } : {}),
    dnsPolicy: plan.dnsPolicy,
    containers: plan.containers,
    ...(plan.initContainers ? { initContainers: plan.initContainers } : {}),
  };
  if (plan.state === 'pending' || !plan.node) {
    return { metadata, spec, status: { phase: 'Pending', conditions: conditions('pending') } };
  }
  const node = nodePlan(plan.node);
  const podIP = plan.hostNetwork ? node.internalIP : allocatePodIP(node);
  const isReady = plan.state !== 'notReady';
  return {
    metadata,
    spec,
    status: {
      phase: 'Running',
      podIP,
      podIPs: [{ ip: podIP }],
      hostIP: node.internalIP,
      conditions: conditions(plan.state),
      containerStatuses: plan.containers.map((c) => ({ name: c.name, ready: isReady, restartCount: plan.restartCount ?? 0 })),
      // A completed init container reports ready, as does a started native sidecar.
      ...(plan.initContainers
        ? { initContainerStatuses: plan.initContainers.map((c) => ({ name: c.name, ready: true, restartCount: 0 })) }
        : {}),
    },
  };
}

/** The pods a controller would have made for `workload`, named as that controller names them. */
function workloadPods(w: Workload): Pod[] {
  const templateHash = templateHashOf(`${w.namespace}/${w.name}/${w.revision ?? '1'}`);
  return w.nodes.map((node, i) => {
    const base = {
      namespace: w.namespace,
      dnsPolicy: w.dnsPolicy ?? (w.hostNetwork ? 'ClusterFirstWithHostNet' : 'ClusterFirst'),
      containers: w.containers,
      ...(w.initContainers ? { initContainers: w.initContainers } : {}),
      ...(w.hostNetwork ? { hostNetwork: true } : {}),
      ...(node ? { node } : {}),
      created: w.created + i,
      state: node ? (w.state ?? 'ready') : ('pending' as const),
      ...(w.restartCount ? { restartCount: w.restartCount } : {}),
    };
    switch (w.kind) {
      case 'Deployment': {
        const replicaSet = `${w.name}-${templateHash}`;
        return makePod({
          ...base,
          name: `${replicaSet}-${safeString(`pod:${w.namespace}/${replicaSet}/${i}`, 5)}`,
          labels: { ...w.labels, 'pod-template-hash': templateHash },
          owner: { kind: 'ReplicaSet', name: replicaSet },
        });
      }
      case 'StatefulSet': {
        const name = `${w.name}-${i}`;
        return makePod({
          ...base,
          name,
          hostname: name,
          labels: {
            ...w.labels,
            'apps.kubernetes.io/pod-index': String(i),
            'controller-revision-hash': `${w.name}-${templateHash}`,
            'statefulset.kubernetes.io/pod-name': name,
          },
          owner: { kind: 'StatefulSet', name: w.name },
        });
      }
      case 'DaemonSet':
        return makePod({
          ...base,
          name: `${w.name}-${safeString(`pod:${w.namespace}/${w.name}/${node ?? i}`, 5)}`,
          labels: { ...w.labels, 'controller-revision-hash': templateHash, 'pod-template-generation': '1' },
          owner: { kind: 'DaemonSet', name: w.name },
        });
    }
  });
}

/** A kubeadm static pod: the kubelet runs it from a manifest; its mirror pod is owned by the Node. */
function staticPod(component: string, image: string): Pod {
  return makePod({
    namespace: 'kube-system',
    name: `${component}-${controlPlane}`,
    labels: { component, tier: 'control-plane' },
    owner: { kind: 'Node', name: controlPlane },
    node: controlPlane,
    hostNetwork: true,
    dnsPolicy: 'ClusterFirst',
    containers: [{ name: component, image }],
    created: 1,
    state: 'ready',
  });
}

// ---------------------------------------------------------------------------------------------
// The workloads

const registry = 'registry.k8s.io';

const coredns: Workload = {
  kind: 'Deployment',
  namespace: 'kube-system',
  name: 'coredns',
  labels: { 'k8s-app': 'kube-dns' },
  dnsPolicy: 'Default',
  containers: [
    {
      name: 'coredns',
      image: `${registry}/coredns/coredns:v1.12.0`,
      ports: [
        { name: 'dns', containerPort: 53, protocol: 'UDP' },
        { name: 'dns-tcp', containerPort: 53, protocol: 'TCP' },
        { name: 'metrics', containerPort: 9153, protocol: 'TCP' },
      ],
    },
  ],
  nodes: [controlPlane, worker2],
  created: 6,
};

const kubeProxyDaemonSet: Workload = {
  kind: 'DaemonSet',
  namespace: 'kube-system',
  name: 'kube-proxy',
  labels: { 'k8s-app': 'kube-proxy' },
  hostNetwork: true,
  dnsPolicy: 'ClusterFirst',
  containers: [{ name: 'kube-proxy', image: `${registry}/kube-proxy:${kubernetesVersion}` }],
  nodes: allNodes,
  created: 2,
};

const flannelDaemonSet: Workload = {
  kind: 'DaemonSet',
  namespace: 'kube-flannel',
  name: 'kube-flannel-ds',
  labels: { app: 'flannel', 'k8s-app': 'flannel', tier: 'node' },
  hostNetwork: true,
  dnsPolicy: 'ClusterFirst',
  initContainers: [
    { name: 'install-cni-plugin', image: 'docker.io/flannel/flannel-cni-plugin:v1.6.2-flannel1' },
    { name: 'install-cni', image: 'docker.io/flannel/flannel:v0.26.7' },
  ],
  containers: [{ name: 'kube-flannel', image: 'docker.io/flannel/flannel:v0.26.7' }],
  nodes: allNodes,
  created: 5,
};

const metricsServer: Workload = {
  kind: 'Deployment',
  namespace: 'kube-system',
  name: 'metrics-server',
  labels: { 'k8s-app': 'metrics-server' },
  containers: [
    {
      name: 'metrics-server',
      image: `${registry}/metrics-server/metrics-server:v0.7.2`,
      ports: [{ name: 'https', containerPort: 10250, protocol: 'TCP' }],
    },
  ],
  nodes: [worker1],
  created: 15,
};

const ingressNginxLabels = {
  'app.kubernetes.io/component': 'controller',
  'app.kubernetes.io/instance': 'ingress-nginx',
  'app.kubernetes.io/name': 'ingress-nginx',
};

const ingressController: Workload = {
  kind: 'Deployment',
  namespace: 'ingress-nginx',
  name: 'ingress-nginx-controller',
  labels: { ...ingressNginxLabels, 'app.kubernetes.io/part-of': 'ingress-nginx', 'app.kubernetes.io/version': '1.12.3' },
  containers: [
    {
      name: 'controller',
      image: `${registry}/ingress-nginx/controller:v1.12.3`,
      ports: [
        { name: 'http', containerPort: 80, protocol: 'TCP' },
        { name: 'https', containerPort: 443, protocol: 'TCP' },
        { name: 'webhook', containerPort: 8443, protocol: 'TCP' },
      ],
    },
  ],
  nodes: [worker1, worker2],
  created: 21,
};

const monitoringWorkloads: Workload[] = [
  {
    kind: 'DaemonSet',
    namespace: 'monitoring',
    name: 'node-exporter',
    labels: { 'app.kubernetes.io/name': 'node-exporter', 'app.kubernetes.io/part-of': 'monitoring' },
    hostNetwork: true,
    containers: [
      {
        name: 'node-exporter',
        image: 'quay.io/prometheus/node-exporter:v1.9.1',
        ports: [{ name: 'metrics', containerPort: 9100, hostPort: 9100, protocol: 'TCP' }],
      },
    ],
    nodes: allNodes,
    created: 31,
  },
  {
    kind: 'Deployment',
    namespace: 'monitoring',
    name: 'kube-state-metrics',
    labels: { 'app.kubernetes.io/name': 'kube-state-metrics', 'app.kubernetes.io/part-of': 'monitoring' },
    containers: [
      {
        name: 'kube-state-metrics',
        image: `${registry}/kube-state-metrics/kube-state-metrics:v2.15.0`,
        ports: [
          { name: 'http-metrics', containerPort: 8080, protocol: 'TCP' },
          { name: 'telemetry', containerPort: 8081, protocol: 'TCP' },
        ],
      },
    ],
    nodes: [worker2],
    created: 32,
  },
  {
    kind: 'Deployment',
    namespace: 'monitoring',
    name: 'prometheus',
    labels: { 'app.kubernetes.io/name': 'prometheus', 'app.kubernetes.io/part-of': 'monitoring' },
    containers: [
      {
        name: 'prometheus',
        image: 'quay.io/prometheus/prometheus:v3.4.1',
        ports: [{ name: 'web', containerPort: 9090, protocol: 'TCP' }],
      },
    ],
    nodes: [worker2],
    created: 33,
  },
  {
    kind: 'Deployment',
    namespace: 'monitoring',
    name: 'grafana',
    labels: { 'app.kubernetes.io/name': 'grafana', 'app.kubernetes.io/part-of': 'monitoring' },
    containers: [
      {
        name: 'grafana',
        image: 'docker.io/grafana/grafana:12.0.2',
        ports: [{ name: 'grafana', containerPort: 3000, protocol: 'TCP' }],
      },
    ],
    nodes: [worker1],
    created: 34,
  },
];

const frontendContainer = (version: string): Container => ({
  name: 'web',
  image: `registry.example.com/shop/frontend:${version}`,
  ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }],
});

const shopWorkloads: Workload[] = [
  {
    kind: 'StatefulSet',
    namespace: 'shop',
    name: 'db',
    labels: { app: 'db', tier: 'data' },
    containers: [
      {
        name: 'postgres',
        image: 'docker.io/library/postgres:17.5',
        ports: [{ name: 'postgres', containerPort: 5432, protocol: 'TCP' }],
      },
    ],
    nodes: [worker1, worker2, worker1],
    created: 61,
  },
  {
    kind: 'Deployment',
    namespace: 'shop',
    name: 'backend',
    labels: { app: 'backend', tier: 'api' },
    containers: [
      {
        name: 'api',
        image: 'registry.example.com/shop/backend:2.4.1',
        ports: [
          { name: 'http', containerPort: 8080, protocol: 'TCP' },
          { name: 'metrics', containerPort: 9090, protocol: 'TCP' },
        ],
      },
    ],
    nodes: [worker2, worker1, worker2],
    created: 65,
  },
  // The frontend is mid-rollout: the old ReplicaSet's last pod is still terminating (below).
  {
    kind: 'Deployment',
    namespace: 'shop',
    name: 'frontend',
    labels: { app: 'frontend', tier: 'web' },
    containers: [frontendContainer('1.8.0')],
    nodes: [worker1, worker2, worker1],
    created: capturedMinute - 2,
    revision: '2',
  },
  // Asks for a GPU no node has, so the scheduler leaves it Pending.
  {
    kind: 'Deployment',
    namespace: 'shop',
    name: 'recommender',
    labels: { app: 'recommender', tier: 'api' },
    containers: [
      {
        name: 'model',
        image: 'registry.example.com/shop/recommender:0.3.0',
        ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }],
      },
    ],
    nodes: [null],
    created: capturedMinute - 40,
  },
];

const frontendRetiring: Workload = {
  kind: 'Deployment',
  namespace: 'shop',
  name: 'frontend',
  labels: { app: 'frontend', tier: 'web' },
  containers: [frontendContainer('1.7.3')],
  nodes: [worker2],
  created: 68,
  state: 'terminating',
  revision: '1',
};

const paymentsWorkloads: Workload[] = [
  // Envoy runs as a native sidecar (an init container that keeps running) so the migration
  // init container after it, and the app, already have their proxy.
  {
    kind: 'Deployment',
    namespace: 'payments',
    name: 'checkout',
    labels: { app: 'checkout' },
    initContainers: [
      {
        name: 'envoy',
        image: 'docker.io/envoyproxy/envoy:v1.34.1',
        restartPolicy: 'Always',
        ports: [
          { name: 'envoy-admin', containerPort: 9901, protocol: 'TCP' },
          { name: 'egress', containerPort: 15001, protocol: 'TCP' },
        ],
      },
      { name: 'migrate', image: 'registry.example.com/payments/checkout-migrate:3.2.0' },
    ],
    containers: [
      {
        name: 'checkout',
        image: 'registry.example.com/payments/checkout:3.2.0',
        ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }],
      },
    ],
    nodes: [worker1, worker2, worker1],
    created: 76,
  },
  // Running but failing its readiness probe: its Service has endpoints, none of them ready.
  {
    kind: 'Deployment',
    namespace: 'payments',
    name: 'ledger',
    labels: { app: 'ledger' },
    containers: [
      {
        name: 'ledger',
        image: 'registry.example.com/payments/ledger:0.9.4',
        ports: [{ name: 'grpc', containerPort: 9000, protocol: 'TCP' }],
      },
    ],
    nodes: [worker2, worker1],
    created: 80,
    state: 'notReady',
    restartCount: 3,
  },
];

const echo: Workload = {
  kind: 'Deployment',
  namespace: 'default',
  name: 'echo',
  labels: { app: 'echo' },
  containers: [
    {
      name: 'agnhost',
      image: `${registry}/e2e-test-images/agnhost:2.53`,
      ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }],
    },
  ],
  nodes: [worker1, worker2],
  created: 90,
};

// ---------------------------------------------------------------------------------------------
// Services and their EndpointSlices

interface ServicePlan {
  namespace: string;
  name: string;
  labels?: Record<string, string>;
  spec: Service['spec'];
  status?: Service['status'];
  created: number;
}

/** A ClusterIP from the dynamic (upper) band of 10.96.0.0/16, as the allocator picks them. */
function clusterIP(namespace: string, name: string, taken: Set<string>): string {
  for (let attempt = 0; ; attempt++) {
    const bytes = digest(`clusterip:${namespace}/${name}/${attempt}`);
    const ip = `10.96.${1 + ((bytes[0] ?? 0) % 255)}.${1 + ((bytes[1] ?? 0) % 254)}`;
    if (!taken.has(ip)) {
      taken.add(ip);
      return ip;
    }
  }
}

function port(name: string, portNumber: number, targetPort: number | string, extra: Partial<ServicePort> = {}): ServicePort {
  return { name, protocol: 'TCP', port: portNumber, targetPort, ...extra };
}

function servicePlans(): ServicePlan[] {
  return [
    {
      namespace: 'default',
      name: 'kubernetes',
      labels: { component: 'apiserver', provider: 'kubernetes' },
      spec: { type: 'ClusterIP', clusterIP: kubernetesServiceIP, ports: [port('https', 443, 6443)] },
      created: 0,
    },
    {
      namespace: 'default',
      name: 'echo',
      labels: { app: 'echo' },
      spec: { type: 'ClusterIP', selector: { app: 'echo' }, ports: [port('http', 80, 'http')] },
      created: 90,
    },
    {
      namespace: 'kube-system',
      name: 'kube-dns',
      labels: { 'k8s-app': 'kube-dns', 'kubernetes.io/cluster-service': 'true', 'kubernetes.io/name': 'CoreDNS' },
      spec: {
        type: 'ClusterIP',
        clusterIP: kubeDnsIP,
        selector: { 'k8s-app': 'kube-dns' },
        ports: [
          port('dns', 53, 53, { protocol: 'UDP' }),
          port('dns-tcp', 53, 53),
          port('metrics', 9153, 9153),
        ],
      },
      created: 6,
    },
    {
      namespace: 'kube-system',
      name: 'metrics-server',
      labels: { 'k8s-app': 'metrics-server' },
      spec: { type: 'ClusterIP', selector: { 'k8s-app': 'metrics-server' }, ports: [port('https', 443, 'https', { appProtocol: 'https' })] },
      created: 15,
    },
    {
      namespace: 'ingress-nginx',
      name: 'ingress-nginx-controller',
      labels: { ...ingressNginxLabels, 'app.kubernetes.io/part-of': 'ingress-nginx' },
      spec: {
        type: 'LoadBalancer',
        selector: ingressNginxLabels,
        ports: [
          port('http', 80, 'http', { appProtocol: 'http', nodePort: 31437 }),
          port('https', 443, 'https', { appProtocol: 'https', nodePort: 30612 }),
        ],
        externalTrafficPolicy: 'Local',
      },
      status: { loadBalancer: { ingress: [{ ip: loadBalancerIP }] } },
      created: 21,
    },
    {
      namespace: 'ingress-nginx',
      name: 'ingress-nginx-controller-admission',
      labels: { ...ingressNginxLabels, 'app.kubernetes.io/part-of': 'ingress-nginx' },
      spec: { type: 'ClusterIP', selector: ingressNginxLabels, ports: [port('https-webhook', 443, 'webhook', { appProtocol: 'https' })] },
      created: 21,
    },
    {
      namespace: 'monitoring',
      name: 'grafana',
      labels: { 'app.kubernetes.io/name': 'grafana' },
      spec: {
        type: 'NodePort',
        selector: { 'app.kubernetes.io/name': 'grafana' },
        ports: [port('http', 80, 3000, { nodePort: 30300 })],
        externalTrafficPolicy: 'Cluster',
      },
      created: 34,
    },
    {
      namespace: 'monitoring',
      name: 'kube-state-metrics',
      labels: { 'app.kubernetes.io/name': 'kube-state-metrics' },
      spec: { type: 'ClusterIP', selector: { 'app.kubernetes.io/name': 'kube-state-metrics' }, ports: [port('http', 8080, 'http-metrics')] },
      created: 32,
    },
    {
      namespace: 'monitoring',
      name: 'node-exporter',
      labels: { 'app.kubernetes.io/name': 'node-exporter' },
      spec: { type: 'ClusterIP', selector: { 'app.kubernetes.io/name': 'node-exporter' }, ports: [port('metrics', 9100, 'metrics')] },
      created: 31,
    },
    {
      namespace: 'monitoring',
      name: 'prometheus',
      labels: { 'app.kubernetes.io/name': 'prometheus' },
      spec: { type: 'ClusterIP', selector: { 'app.kubernetes.io/name': 'prometheus' }, ports: [port('http', 9090, 'web')] },
      created: 33,
    },
    {
      namespace: 'payments',
      name: 'card-gateway',
      spec: { type: 'ExternalName', externalName: 'gateway.payments.example.net' },
      created: 75,
    },
    {
      namespace: 'payments',
      name: 'checkout',
      labels: { app: 'checkout' },
      spec: { type: 'ClusterIP', selector: { app: 'checkout' }, ports: [port('http', 80, 'http')] },
      created: 76,
    },
    // Selects pods that were never deployed: a Service with no endpoints at all.
    {
      namespace: 'payments',
      name: 'fraud-check',
      labels: { app: 'fraud-check' },
      spec: { type: 'ClusterIP', selector: { app: 'fraud-check' }, ports: [port('http', 80, 8080)] },
      created: 78,
    },
    {
      namespace: 'payments',
      name: 'ledger',
      labels: { app: 'ledger' },
      spec: { type: 'ClusterIP', selector: { app: 'ledger' }, ports: [port('grpc', 9000, 'grpc', { appProtocol: 'kubernetes.io/h2c' })] },
      created: 80,
    },
    {
      namespace: 'shop',
      name: 'backend',
      labels: { app: 'backend' },
      spec: { type: 'ClusterIP', selector: { app: 'backend' }, ports: [port('http', 80, 'http')] },
      created: 65,
    },
    {
      namespace: 'shop',
      name: 'db',
      labels: { app: 'db' },
      spec: { type: 'ClusterIP', clusterIP: 'None', selector: { app: 'db' }, ports: [port('postgres', 5432, 5432)] },
      created: 61,
    },
    {
      namespace: 'shop',
      name: 'frontend',
      labels: { app: 'frontend' },
      spec: { type: 'ClusterIP', selector: { app: 'frontend' }, ports: [port('http', 80, 'http')] },
      created: 66,
    },
  ];
}

function makeService(plan: ServicePlan, takenIPs: Set<string>): Service {
  const spec: Service['spec'] = { ...plan.spec };
  if (spec.type !== 'ExternalName') {
    const ip = spec.clusterIP ?? clusterIP(plan.namespace, plan.name, takenIPs);
    spec.clusterIP = ip;
    spec.clusterIPs = [ip];
    spec.ipFamilies = ['IPv4'];
    spec.internalTrafficPolicy = 'Cluster';
  }
  spec.sessionAffinity = 'None';
  return {
    metadata: meta('Service', plan.namespace, plan.name, plan.created, plan.labels ? { labels: plan.labels } : {}),
    spec,
    ...(plan.status ? { status: plan.status } : {}),
  };
}

function matches(selector: Record<string, string>, labels: Record<string, string> | undefined): boolean {
  return Object.entries(selector).every(([k, v]) => labels?.[k] === v);
}

function isPodReady(pod: Pod): boolean {
  return pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

/** The container port a Service's targetPort names, looked up as the controller does
 * (app containers, then native sidecars). */
function resolveTargetPort(pod: Pod, servicePort: ServicePort): number {
  const target = servicePort.targetPort ?? servicePort.port;
  if (typeof target === 'number') return target;
  const sidecars = (pod.spec.initContainers ?? []).filter((c) => c.restartPolicy === 'Always');
  for (const container of [...pod.spec.containers, ...sidecars]) {
    const found = container.ports?.find((p) => p.name === target && (p.protocol ?? 'TCP') === (servicePort.protocol ?? 'TCP'));
    if (found) return found.containerPort;
  }
  throw new Error(`${pod.metadata.namespace}/${pod.metadata.name} has no port named ${target}`);
}

/** The slice the EndpointSlice controller keeps for a selector Service: every pod that has
 * a node and an IP, ready = Ready and not terminating, serving = Ready. */
function makeEndpointSlice(service: Service, pods: Pod[]): EndpointSlice {
  const namespace = service.metadata.namespace ?? 'default';
  const selector = service.spec.selector ?? {};
  const servicePorts = service.spec.ports ?? [];
  const members = pods.filter(
    (p) => p.metadata.namespace === namespace && p.spec.nodeName && p.status?.podIP && matches(selector, p.metadata.labels),
  );
  const resolved = members.map((p) => servicePorts.map((sp) => resolveTargetPort(p, sp)).join(','));
  if (new Set(resolved).size > 1) throw new Error(`${service.metadata.name}: pods resolve its ports differently; one slice each`);
  const name = `${service.metadata.name}-${safeString(`slice:${namespace}/${service.metadata.name}`, 5)}`;
  const isHeadless = service.spec.clusterIP === 'None';
  return {
    metadata: meta('EndpointSlice', namespace, name, minutesOf(service.metadata.creationTimestamp), {
      labels: {
        ...service.metadata.labels,
        'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io',
        'kubernetes.io/service-name': service.metadata.name,
        ...(isHeadless ? { 'service.kubernetes.io/headless': '' } : {}),
      },
      ownerReferences: [{ kind: 'Service', name: service.metadata.name, uid: service.metadata.uid, controller: true }],
    }),
    addressType: 'IPv4',
    endpoints: members.map((pod) => {
      const isTerminating = pod.metadata.deletionTimestamp !== undefined;
      const nodeName = pod.spec.nodeName ?? '';
      const hostname = podHostnames.get(`${namespace}/${pod.metadata.name}`);
      return {
        addresses: [pod.status?.podIP ?? ''],
        conditions: { ready: isPodReady(pod) && !isTerminating, serving: isPodReady(pod), terminating: isTerminating },
        ...(hostname && isHeadless ? { hostname } : {}),
        nodeName,
        zone: nodePlan(nodeName).zone,
        targetRef: { kind: 'Pod', name: pod.metadata.name, namespace, uid: pod.metadata.uid },
      };
    }),
    ports:
      members[0] === undefined
        ? []
        : servicePorts.map((sp) => ({
            name: sp.name ?? '',
            port: resolveTargetPort(members[0] as Pod, sp),
            protocol: sp.protocol ?? 'TCP',
            ...(sp.appProtocol ? { appProtocol: sp.appProtocol } : {}),
          })),
  };
}

function minutesOf(timestamp: string | undefined): number {
  return timestamp === undefined ? 0 : (Date.parse(timestamp) - clusterCreatedMs) / 60_000;
}

/** The apiserver itself keeps `default/kubernetes`'s slice: the apiservers, no pods. */
function kubernetesEndpointSlice(): EndpointSlice {
  return {
    metadata: meta('EndpointSlice', 'default', 'kubernetes', 0, { labels: { 'kubernetes.io/service-name': 'kubernetes' } }),
    addressType: 'IPv4',
    endpoints: [{ addresses: [nodePlan(controlPlane).internalIP], conditions: { ready: true } }],
    ports: [{ name: 'https', port: 6443, protocol: 'TCP' }],
  };
}

// ---------------------------------------------------------------------------------------------
// Ingress, NetworkPolicy, ConfigMaps, DaemonSets

function ingressClasses(): IngressClass[] {
  return [
    {
      metadata: meta('IngressClass', undefined, 'nginx', 21, { labels: { ...ingressNginxLabels, 'app.kubernetes.io/part-of': 'ingress-nginx' } }),
      spec: { controller: 'k8s.io/ingress-nginx' },
    },
  ];
}

function ingresses(): Ingress[] {
  const backend = (name: string) => ({ service: { name, port: { number: 80 } } });
  return [
    {
      metadata: meta('Ingress', 'shop', 'shop', 67, { labels: { app: 'shop' } }),
      spec: {
        ingressClassName: 'nginx',
        tls: [{ hosts: ['shop.example.com'] }],
        rules: [
          {
            host: 'shop.example.com',
            http: {
              paths: [
                { path: '/', pathType: 'Prefix', backend: backend('frontend') },
                { path: '/api', pathType: 'Prefix', backend: backend('backend') },
              ],
            },
          },
        ],
      },
      status: { loadBalancer: { ingress: [{ ip: loadBalancerIP }] } },
    },
  ];
}

function networkPolicies(): NetworkPolicy[] {
  const policy = (name: string, spec: NetworkPolicy['spec']): NetworkPolicy => ({ metadata: meta('NetworkPolicy', 'shop', name, 69), spec });
  const fromIngressNginx = { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } } };
  const app = (name: string) => ({ podSelector: { matchLabels: { app: name } } });
  return [
    policy('default-deny-all', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] }),
    policy('allow-dns-egress', {
      podSelector: {},
      policyTypes: ['Egress'],
      egress: [
        {
          to: [
            {
              namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
              podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
            },
          ],
          ports: [
            { protocol: 'UDP', port: 53 },
            { protocol: 'TCP', port: 53 },
          ],
        },
      ],
    }),
    policy('frontend-allow', {
      podSelector: { matchLabels: { app: 'frontend' } },
      policyTypes: ['Ingress', 'Egress'],
      ingress: [{ from: [fromIngressNginx], ports: [{ protocol: 'TCP', port: 8080 }] }],
      egress: [{ to: [app('backend')], ports: [{ protocol: 'TCP', port: 'http' }] }],
    }),
    // The Ingress sends /api straight to the backend, so the controller may reach it too.
    policy('backend-allow', {
      podSelector: { matchLabels: { app: 'backend' } },
      policyTypes: ['Ingress', 'Egress'],
      ingress: [{ from: [app('frontend'), fromIngressNginx], ports: [{ protocol: 'TCP', port: 'http' }] }],
      egress: [{ to: [app('db')], ports: [{ protocol: 'TCP', port: 5432 }] }],
    }),
    // The replicas stream WAL from each other, so db also talks to db.
    policy('db-allow', {
      podSelector: { matchLabels: { app: 'db' } },
      policyTypes: ['Ingress', 'Egress'],
      ingress: [{ from: [app('backend'), app('db')], ports: [{ protocol: 'TCP', port: 5432 }] }],
      egress: [{ to: [app('db')], ports: [{ protocol: 'TCP', port: 5432 }] }],
    }),
  ];
}

/** kubeadm's KubeProxyConfiguration, with the mode set explicitly. */
const kubeProxyConfig = `apiVersion: kubeproxy.config.k8s.io/v1alpha1
bindAddress: 0.0.0.0
bindAddressHardFail: false
clientConnection:
  acceptContentTypes: ""
  burst: 0
  contentType: ""
  kubeconfig: /var/lib/kube-proxy/kubeconfig.conf
  qps: 0
clusterCIDR: ${podNetwork}
configSyncPeriod: 0s
conntrack:
  maxPerCore: null
  min: null
  tcpBeLiberal: false
  tcpCloseWaitTimeout: null
  tcpEstablishedTimeout: null
  udpStreamTimeout: 0s
  udpTimeout: 0s
detectLocal:
  bridgeInterface: ""
  interfaceNamePrefix: ""
detectLocalMode: ""
enableProfiling: false
healthzBindAddress: ""
hostnameOverride: ""
iptables:
  localhostNodePorts: null
  masqueradeAll: false
  masqueradeBit: null
  minSyncPeriod: 1s
  syncPeriod: 0s
ipvs:
  excludeCIDRs: null
  minSyncPeriod: 0s
  scheduler: ""
  strictARP: false
  syncPeriod: 0s
  tcpFinTimeout: 0s
  tcpTimeout: 0s
  udpTimeout: 0s
kind: KubeProxyConfiguration
logging:
  flushFrequency: 0
  options:
    json:
      infoBufferSize: "0"
    text:
      infoBufferSize: "0"
  verbosity: 0
metricsBindAddress: ""
mode: "iptables"
nftables:
  masqueradeAll: false
  masqueradeBit: null
  minSyncPeriod: 0s
  syncPeriod: 0s
nodePortAddresses: null
oomScoreAdj: null
portRange: ""
showHiddenMetricsForVersion: ""
winkernel:
  enableDSR: false
  forwardHealthCheckVip: false
  networkName: ""
  rootHnsEndpointName: ""
  sourceVip: ""
`;

/** As in upstream Flannel's kube-flannel.yml. */
const flannelCniConf = `{
  "name": "cbr0",
  "cniVersion": "0.3.1",
  "plugins": [
    {
      "type": "flannel",
      "delegate": {
        "hairpinMode": true,
        "isDefaultGateway": true
      }
    },
    {
      "type": "portmap",
      "capabilities": {
        "portMappings": true
      }
    }
  ]
}
`;

const flannelNetConf = `{
  "Network": "${podNetwork}",
  "EnableNFTables": false,
  "Backend": {
    "Type": "vxlan"
  }
}
`;

function configMaps(): ConfigMap[] {
  return [
    {
      metadata: meta('ConfigMap', 'kube-flannel', 'kube-flannel-cfg', 4, { labels: { app: 'flannel', 'k8s-app': 'flannel', tier: 'node' } }),
      data: { 'cni-conf.json': flannelCniConf, 'net-conf.json': flannelNetConf },
    },
    {
      metadata: meta('ConfigMap', 'kube-system', 'kube-proxy', 1, { labels: { app: 'kube-proxy' } }),
      data: { 'config.conf': kubeProxyConfig },
    },
  ];
}

function makeDaemonSet(w: Workload, containers: DaemonSet['spec']['template']['spec']['containers']): DaemonSet {
  return {
    metadata: meta('DaemonSet', w.namespace, w.name, w.created, { labels: w.labels }),
    spec: { template: { spec: { ...(w.hostNetwork ? { hostNetwork: true } : {}), containers } } },
    status: { desiredNumberScheduled: w.nodes.length, numberReady: w.nodes.length },
  };
}

function daemonSets(): DaemonSet[] {
  const [nodeExporter] = monitoringWorkloads;
  if (!nodeExporter) throw new Error('node-exporter missing');
  return [
    makeDaemonSet(kubeProxyDaemonSet, [
      {
        name: 'kube-proxy',
        image: `${registry}/kube-proxy:${kubernetesVersion}`,
        command: ['/usr/local/bin/kube-proxy', '--config=/var/lib/kube-proxy/config.conf', '--hostname-override=$(NODE_NAME)'],
      },
    ]),
    makeDaemonSet(flannelDaemonSet, [
      { name: 'kube-flannel', image: 'docker.io/flannel/flannel:v0.26.7', command: ['/opt/bin/flanneld'], args: ['--ip-masq', '--kube-subnet-mgr'] },
    ]),
    makeDaemonSet(nodeExporter, [
      {
        name: 'node-exporter',
        image: 'quay.io/prometheus/node-exporter:v1.9.1',
        args: ['--path.procfs=/host/proc', '--path.sysfs=/host/sys', '--path.rootfs=/host/root', '--web.listen-address=[$(HOST_IP)]:9100'],
      },
    ]),
  ];
}

// ---------------------------------------------------------------------------------------------

function byIdentity<T extends { metadata: ObjectMeta }>(a: T, b: T): number {
  const ka = `${a.metadata.namespace ?? ''}/${a.metadata.name}`;
  const kb = `${b.metadata.namespace ?? ''}/${b.metadata.name}`;
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

/** Builds the demo snapshot. Pure apart from its own counters, which it resets. */
export function buildDemoSnapshot(): Snapshot {
  nextHostOctet.clear();
  podHostnames.clear();

  // Creation order matters: it is the order host-local IPAM hands out each node's pod IPs.
  const pods: Pod[] = [
    staticPod('etcd', `${registry}/etcd:3.5.21-0`),
    staticPod('kube-apiserver', `${registry}/kube-apiserver:${kubernetesVersion}`),
    staticPod('kube-controller-manager', `${registry}/kube-controller-manager:${kubernetesVersion}`),
    staticPod('kube-scheduler', `${registry}/kube-scheduler:${kubernetesVersion}`),
    ...workloadPods(kubeProxyDaemonSet),
    ...workloadPods(flannelDaemonSet),
    ...workloadPods(coredns),
    ...workloadPods(metricsServer),
    ...workloadPods(ingressController),
    ...monitoringWorkloads.flatMap(workloadPods),
    ...workloadPods(shopWorkloads[0] as Workload),
    ...workloadPods(shopWorkloads[1] as Workload),
    ...workloadPods(frontendRetiring),
    ...paymentsWorkloads.flatMap(workloadPods),
    ...workloadPods(echo),
    ...shopWorkloads.slice(2).flatMap(workloadPods),
  ];

  const takenIPs = new Set<string>([kubernetesServiceIP, kubeDnsIP]);
  const services = servicePlans().map((plan) => makeService(plan, takenIPs));
  const endpointSlices = services
    .filter((s) => s.spec.type !== 'ExternalName' && s.spec.selector)
    .map((s) => makeEndpointSlice(s, pods));
  endpointSlices.push(kubernetesEndpointSlice());

  const objects: ClusterObjects = {
    nodes: nodePlans.map(makeNode),
    namespaces: Object.keys(namespaceLabels).map(makeNamespace),
    pods,
    services,
    endpointSlices,
    networkPolicies: networkPolicies(),
    ingresses: ingresses(),
    ingressClasses: ingressClasses(),
    configMaps: configMaps(),
    daemonSets: daemonSets(),
    gateways: [],
    httpRoutes: [],
  };
  // Lists come back from the API server sorted by namespace and name.
  for (const list of Object.values(objects) as { metadata: ObjectMeta }[][]) list.sort(byIdentity);

  return {
    format: snapshotFormat,
    version: snapshotVersion,
    source: {
      context: 'demo',
      server: null,
      kubernetesVersion,
      capturedAt,
      description:
        "Podpath's bundled demo cluster: a made-up three-node kubeadm cluster with Flannel (VXLAN), kube-proxy in iptables mode, ingress-nginx and a small shop behind NetworkPolicies. Open it when no cluster is reachable.",
    },
    objects,
  };
}

if (import.meta.main) {
  const text = serializeSnapshot(buildDemoSnapshot());
  writeFileAtomicSync(demoSnapshotPath, text);
  console.log(`wrote ${demoSnapshotPath} (${text.length} bytes)`);
}
