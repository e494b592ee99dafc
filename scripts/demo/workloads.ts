/**
 * What runs in the demo cluster: kubeadm's add-ons, Flannel, ingress-nginx, monitoring, the shop,
 * payments and an echo app — each with the nodes its replicas landed on. Plain plans; pods.ts
 * turns them into pods, and the assembly in scripts/make-demo.ts decides their creation order.
 */
import type { Container } from '../../shared/kube/objects.ts';
import { capturedMinute, kubernetesVersion } from './facts.ts';
import { allNodes, controlPlane, worker1, worker2 } from './nodes.ts';
import type { Workload } from './pods.ts';

export const registry = 'registry.k8s.io';

export const coredns: Workload = {
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

export const kubeProxyDaemonSet: Workload = {
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

export const flannelDaemonSet: Workload = {
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

export const metricsServer: Workload = {
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

export const ingressNginxLabels = {
  'app.kubernetes.io/component': 'controller',
  'app.kubernetes.io/instance': 'ingress-nginx',
  'app.kubernetes.io/name': 'ingress-nginx',
};

export const ingressController: Workload = {
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

export const monitoringWorkloads: Workload[] = [
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

export const shopWorkloads: Workload[] = [
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

export const frontendRetiring: Workload = {
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

export const paymentsWorkloads: Workload[] = [
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

export const echo: Workload = {
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
