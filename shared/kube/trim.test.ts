import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { annotationAllowlist, kindOf, trimObject } from './trim.ts';
import { datapathEnvAllowlist } from './trim/apps.ts';
import { configMapAllowlist, configMapYamlSettings } from './trim/core.ts';

/** Real `kubectl get -o json` captures, copied into test/fixtures/objects/ (sources in its README:
 * derailed/k9s internal/render/testdata @ 24cf4628 and kaweezle/iknite @ 9a947e6e). */
function capture(path: string): Record<string, unknown> {
  return JSON.parse(readFileSync(new URL(`../../test/fixtures/objects/${path}`, import.meta.url), 'utf8')) as Record<string, unknown>;
}

/** Every secret value below contains this; none may survive trimming. */
const SECRET = 'SENTINEL-s3cr3t';

describe('trimObject on real captures', () => {
  test('a Pod keeps exactly what the model needs (k9s po.json, minikube 2019)', () => {
    expect(trimObject('pods', capture('k9s/po.json'))).toStrictEqual({
      metadata: {
        name: 'nginx',
        namespace: 'default',
        uid: '614908ed-415b-4506-8370-e3e36fa8cc13',
        creationTimestamp: '2019-08-09T05:12:19Z',
      },
      spec: {
        nodeName: 'minikube',
        dnsPolicy: 'ClusterFirst',
        serviceAccountName: 'default',
        containers: [{ name: 'nginx', image: 'nginx:alpine', ports: [{ containerPort: 80, protocol: 'TCP' }] }],
      },
      status: {
        phase: 'Running',
        podIP: '172.17.0.6',
        hostIP: '192.168.64.104',
        conditions: [
          { type: 'Initialized', status: 'True' },
          { type: 'Ready', status: 'True' },
          { type: 'ContainersReady', status: 'True' },
          { type: 'PodScheduled', status: 'True' },
        ],
        containerStatuses: [{ name: 'nginx', ready: true, restartCount: 0 }],
      },
    });
  });

  test('a native sidecar keeps restartPolicy Always; plain init containers do not get one (k9s po_sidecar.json, kind 2024)', () => {
    const pod = trimObject('pods', capture('k9s/po_sidecar.json'));
    expect(pod?.spec.initContainers).toStrictEqual([
      { name: 'init', image: 'istio/base' },
      { name: 'sidecar', image: 'istio/base', restartPolicy: 'Always' },
    ]);
    expect(pod?.status?.podIPs).toStrictEqual([{ ip: '10.244.0.8' }]);
    expect(pod?.status?.initContainerStatuses?.map((s) => s.name)).toEqual(['init', 'sidecar']);
    // The command, the projected service-account token volume and resources are gone.
    const text = JSON.stringify(pod);
    for (const dropped of ['/bin/sleep', 'serviceAccountToken', 'kube-api-access', 'resources', 'tolerations']) expect(text).not.toContain(dropped);
  });

  test('init containers keep their ports (k9s po_init.json)', () => {
    expect(trimObject('pods', capture('k9s/po_init.json'))?.spec.initContainers).toStrictEqual([
      { name: 'ic1', image: 'nginx:alpine', ports: [{ containerPort: 80, protocol: 'TCP' }] },
    ]);
  });

  test('a Pod keeps its dnsPolicy and dnsConfig (the tracer\'s name lookups follow them), minus anything else', () => {
    const raw = capture('k9s/po.json') as { spec: Record<string, unknown> };
    raw.spec.dnsPolicy = 'None';
    raw.spec.dnsConfig = {
      nameservers: ['10.96.0.10', 42],
      searches: ['shop.svc.cluster.local', 'corp.example'],
      options: [{ name: 'ndots', value: '2' }, { name: 'edns0' }, { value: 'nameless' }],
      unexpected: 'dropped',
    };
    expect(trimObject('pods', raw)?.spec).toMatchObject({
      dnsPolicy: 'None',
      dnsConfig: {
        nameservers: ['10.96.0.10'],
        searches: ['shop.svc.cluster.local', 'corp.example'],
        options: [{ name: 'ndots', value: '2' }, { name: 'edns0' }],
      },
    });
    expect(JSON.stringify(trimObject('pods', raw))).not.toContain('unexpected');
    raw.spec.dnsConfig = {};
    expect(trimObject('pods', raw)?.spec).not.toHaveProperty('dnsConfig');
  });

  test("a Pod keeps its serviceAccountName (Calico's serviceAccountSelector matches it), as the API server filled it in", () => {
    const raw = capture('k9s/po.json') as { spec: Record<string, unknown> };
    expect(trimObject('pods', raw)?.spec.serviceAccountName).toBe('default');
    delete raw.spec.serviceAccountName;
    expect(trimObject('pods', raw)?.spec).not.toHaveProperty('serviceAccountName');
  });

  test('a Node keeps addresses, conditions and versions, not images, capacity or other annotations (k9s no.json)', () => {
    const node = trimObject('nodes', capture('k9s/no.json'));
    expect(node?.status?.addresses).toStrictEqual([
      { type: 'InternalIP', address: '192.168.64.107' },
      { type: 'Hostname', address: 'minikube' },
    ]);
    expect(node?.status?.conditions).toContainEqual({ type: 'Ready', status: 'True' });
    expect(node?.status?.nodeInfo).toStrictEqual({
      kubeletVersion: 'v1.15.2',
      kubeProxyVersion: 'v1.15.2',
      osImage: 'Buildroot 2018.05.3',
      containerRuntimeVersion: 'docker://18.9.8',
    });
    expect(node?.metadata.labels?.['kubernetes.io/hostname']).toBe('minikube');
    expect(node?.metadata.annotations).toBeUndefined();
    expect(Object.keys(node?.status ?? {}).sort()).toEqual(['addresses', 'conditions', 'nodeInfo']);
    // spec is {} in the capture: nothing modelled in it, so no empty block either.
    expect(node?.spec).toBeUndefined();
  });

  test('a Service keeps its spec and drops the last-applied annotation (k9s svc.json)', () => {
    expect(trimObject('services', capture('k9s/svc.json'))).toStrictEqual({
      metadata: { name: 'dictionary1', namespace: 'default', uid: 'f1007a5c-a367-11e9-990f-42010a800218', creationTimestamp: '2019-07-10T23:10:43Z' },
      spec: {
        type: 'ClusterIP',
        clusterIP: '10.47.248.116',
        ports: [{ name: 'http', protocol: 'TCP', port: 4001, targetPort: 'http' }],
        selector: { app: 'dictionary1' },
        sessionAffinity: 'None',
      },
    });
  });

  test('a LoadBalancer Service keeps nodePorts, traffic policies and its ingress IP (iknite service_event.json)', () => {
    const service = trimObject('services', capture('iknite/service_event.json').object);
    expect(service?.spec).toMatchObject({
      type: 'LoadBalancer',
      externalTrafficPolicy: 'Cluster',
      internalTrafficPolicy: 'Cluster',
      ipFamilies: ['IPv4'],
      ports: [
        { name: 'listener-80', protocol: 'TCP', port: 80, targetPort: 80, nodePort: 30818 },
        { name: 'listener-443', protocol: 'TCP', port: 443, targetPort: 443, nodePort: 32243 },
      ],
    });
    expect(service?.status).toStrictEqual({ loadBalancer: { ingress: [{ ip: '192.168.99.2' }] } });
    // Not on the allowlist: an installer's own annotation.
    expect(service?.metadata.annotations).toBeUndefined();
  });

  test('a NetworkPolicy keeps its whole spec: every field of it is the evaluator’s business (k9s np.json)', () => {
    const raw = capture('k9s/np.json');
    const policy = trimObject('networkPolicies', raw);
    expect(policy?.spec).toStrictEqual(raw.spec);
    expect(JSON.stringify(policy)).not.toContain('last-applied');
  });

  test('a v1beta1-style Ingress backend (serviceName/servicePort) is translated to the v1 shape (k9s ing.json)', () => {
    const ingress = trimObject('ingresses', capture('k9s/ing.json'));
    expect(ingress?.spec.rules).toStrictEqual([{ http: { paths: [{ path: '/testpath', backend: { service: { name: 'test', port: { number: 80 } } } }] } }]);
    expect(ingress?.metadata.labels).toStrictEqual({ role: 'ingress' });
    // nginx's rewrite-target does not change the datapath; it is dropped with last-applied.
    expect(ingress?.metadata.annotations).toBeUndefined();
  });

  test('a Namespace keeps its phase (k9s ns.json)', () => {
    expect(trimObject('namespaces', capture('k9s/ns.json'))).toStrictEqual({
      metadata: { name: 'kube-system', uid: 'ed757b6f-2991-11e9-81cd-42010a80005b', creationTimestamp: '2019-02-05T22:03:54Z' },
      status: { phase: 'Active' },
    });
  });

  test('an EndpointSlice without a uid is refused; with one it keeps endpoints and ports (k9s eps.json, hand-edited)', () => {
    const raw = capture('k9s/eps.json');
    expect(trimObject('endpointSlices', raw)).toBeNull();
    const slice = trimObject('endpointSlices', { ...raw, metadata: { ...(raw.metadata as object), uid: 'u-1' } });
    expect(slice?.addressType).toBe('IPv4');
    expect(slice?.endpoints?.[0]).toStrictEqual({
      addresses: ['172.20.0.2'],
      conditions: { ready: true, serving: true, terminating: false },
      nodeName: 'n-1',
      targetRef: { kind: 'Pod', name: 'zorg', namespace: 'kube-system' },
    });
    expect(slice?.ports).toStrictEqual([{ name: 'peer-service', port: 4244, protocol: 'TCP' }]);
  });
});

describe('trimObject keeps no secret', () => {
  const lastApplied = JSON.stringify({ spec: { containers: [{ env: [{ name: 'DB_PASSWORD', value: SECRET }] }] } });
  const managedFields = [{ manager: 'kubectl', operation: 'Update', fieldsV1: { 'f:spec': { [`f:${SECRET}`]: {} } } }];

  test('a Pod with env values, Secret references, secret volumes, probes with auth headers and managedFields', () => {
    const raw = {
      ...capture('k9s/po.json'),
      metadata: {
        name: 'api',
        namespace: 'shop',
        uid: 'pod-1',
        labels: { app: 'api' },
        annotations: {
          'kubectl.kubernetes.io/last-applied-configuration': lastApplied,
          'vault.hashicorp.com/agent-inject-secret-db': SECRET,
          'k8s.v1.cni.cncf.io/network-status': '[{"name":"cbr0","interface":"eth0","ips":["10.244.1.5"]}]',
        },
        managedFields,
        resourceVersion: '42',
      },
      spec: {
        nodeName: 'worker-1',
        imagePullSecrets: [{ name: `regcred-${SECRET}` }],
        containers: [
          {
            name: 'api',
            image: 'registry.example/api:1.2',
            ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }],
            command: ['/api', `--db-password=${SECRET}`],
            args: ['--token', SECRET],
            env: [
              { name: 'DB_PASSWORD', value: SECRET },
              { name: 'API_KEY', valueFrom: { secretKeyRef: { name: `api-${SECRET}`, key: 'key' } } },
            ],
            envFrom: [{ secretRef: { name: `all-${SECRET}` } }],
            livenessProbe: { httpGet: { path: '/healthz', port: 8080, httpHeaders: [{ name: 'Authorization', value: `Bearer ${SECRET}` }] } },
            volumeMounts: [{ name: 'creds', mountPath: '/creds' }],
          },
        ],
        initContainers: [{ name: 'migrate', image: 'registry.example/migrate:1', env: [{ name: 'PGPASSWORD', value: SECRET }] }],
        volumes: [{ name: 'creds', secret: { secretName: `creds-${SECRET}` } }],
      },
      status: {
        phase: 'Running',
        podIP: '10.244.1.5',
        message: SECRET,
        containerStatuses: [{ name: 'api', ready: true, restartCount: 1, lastState: { terminated: { message: SECRET } } }],
      },
    };
    const pod = trimObject('pods', raw);
    const text = JSON.stringify(pod);
    expect(text).not.toContain('SENTINEL');
    for (const field of ['env', 'envFrom', 'volumes', 'volumeMounts', 'command', 'args', 'managedFields', 'imagePullSecrets', 'livenessProbe', 'last-applied']) {
      expect(text).not.toContain(`"${field}`);
    }
    expect(pod?.spec.containers).toStrictEqual([{ name: 'api', image: 'registry.example/api:1.2', ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }] }]);
    expect(pod?.metadata.annotations).toStrictEqual({ 'k8s.v1.cni.cncf.io/network-status': raw.metadata.annotations['k8s.v1.cni.cncf.io/network-status'] });
  });

  test('a DaemonSet keeps its command and flags with every credential value redacted', () => {
    const raw = {
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: { name: 'kube-proxy', namespace: 'kube-system', uid: 'ds-1', annotations: { 'kubectl.kubernetes.io/last-applied-configuration': lastApplied }, managedFields },
      spec: {
        selector: { matchLabels: { 'k8s-app': 'kube-proxy' } },
        template: {
          metadata: { labels: { 'k8s-app': 'kube-proxy' } },
          spec: {
            hostNetwork: true,
            serviceAccountName: 'kube-proxy',
            containers: [
              {
                name: 'kube-proxy',
                image: 'registry.k8s.io/kube-proxy:v1.33.2',
                command: ['/usr/local/bin/kube-proxy', '--config=/var/lib/kube-proxy/config.conf', '--proxy-mode=ipvs'],
                args: [
                  `--token=${SECRET}`,
                  '--password',
                  SECRET,
                  `--client-secret=${SECRET}`,
                  `--api-key="${SECRET}"`,
                  `--master=https://admin:${SECRET}@10.0.0.1:6443`,
                  '--v=2',
                ],
                env: [{ name: 'NODE_NAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } }, { name: 'TOKEN', value: SECRET }],
              },
              {
                name: 'sidecar',
                image: 'busybox',
                command: ['/bin/sh', '-c', `export DB_PASSWORD=${SECRET}; exec agent --auth-token ${SECRET} --listen :9000`],
              },
            ],
            volumes: [{ name: 'kube-proxy', configMap: { name: 'kube-proxy' } }, { name: 'creds', secret: { secretName: SECRET } }],
          },
        },
      },
      status: { desiredNumberScheduled: 3, numberReady: 3, numberAvailable: 3 },
    };
    const ds = trimObject('daemonSets', raw);
    expect(JSON.stringify(ds)).not.toContain('SENTINEL');
    expect(ds).toStrictEqual({
      metadata: { name: 'kube-proxy', namespace: 'kube-system', uid: 'ds-1' },
      spec: {
        template: {
          spec: {
            hostNetwork: true,
            containers: [
              {
                name: 'kube-proxy',
                image: 'registry.k8s.io/kube-proxy:v1.33.2',
                command: ['/usr/local/bin/kube-proxy', '--config=/var/lib/kube-proxy/config.conf', '--proxy-mode=ipvs'],
                args: [
                  '--token=<redacted>',
                  '--password',
                  '<redacted>',
                  '--client-secret=<redacted>',
                  '--api-key=<redacted>',
                  '--master=https://<redacted>@10.0.0.1:6443',
                  '--v=2',
                ],
              },
              {
                name: 'sidecar',
                image: 'busybox',
                command: ['/bin/sh', '-c', 'export DB_PASSWORD=<redacted>; exec agent --auth-token <redacted> --listen :9000'],
              },
            ],
          },
        },
      },
      status: { desiredNumberScheduled: 3, numberReady: 3 },
    });
  });

  test('ConfigMaps: only allowlisted ones, only allowlisted keys', () => {
    const kubeProxy = trimObject('configMaps', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'kube-proxy', namespace: 'kube-system', uid: 'cm-1', annotations: { 'kubeadm.kubernetes.io/component-config.hash': 'sha256:abc' } },
      data: {
        'config.conf': 'apiVersion: kubeproxy.config.k8s.io/v1alpha1\nkind: KubeProxyConfiguration\nmode: ipvs\nclusterCIDR: 10.244.0.0/16\n',
        'kubeconfig.conf': `apiVersion: v1\nkind: Config\nusers:\n- name: default\n  user:\n    token: ${SECRET}\n`,
      },
      binaryData: { blob: SECRET },
    });
    expect(kubeProxy?.data).toStrictEqual({ 'config.conf': expect.stringContaining('mode: ipvs') as string });
    expect(JSON.stringify(kubeProxy)).not.toContain('SENTINEL');

    const cilium = trimObject('configMaps', {
      metadata: { name: 'cilium-config', namespace: 'kube-system', uid: 'cm-2' },
      data: { 'routing-mode': 'tunnel', 'tunnel-protocol': 'vxlan', 'kube-proxy-replacement': 'true', 'hubble-tls-key': SECRET, 'clustermesh-config': SECRET },
    });
    expect(cilium?.data).toStrictEqual({ 'routing-mode': 'tunnel', 'tunnel-protocol': 'vxlan', 'kube-proxy-replacement': 'true' });

    const flannel = trimObject('configMaps', {
      metadata: { name: 'kube-flannel-cfg', namespace: 'kube-flannel', uid: 'cm-3' },
      data: { 'net-conf.json': '{"Network":"10.244.0.0/16","Backend":{"Type":"vxlan"}}', 'cni-conf.json': '{}' },
    });
    expect(Object.keys(flannel?.data ?? {})).toEqual(['net-conf.json', 'cni-conf.json']);

    expect(trimObject('configMaps', { metadata: { name: 'app-settings', namespace: 'shop', uid: 'cm-4' }, data: { DB_PASSWORD: SECRET } })).toBeNull();
    // The right name in the wrong namespace is somebody else's ConfigMap.
    expect(trimObject('configMaps', { metadata: { name: 'kube-proxy', namespace: 'shop', uid: 'cm-5' }, data: { 'config.conf': SECRET } })).toBeNull();
  });

  test('Node annotations: the datapath ones stay, the rest go', () => {
    const node = trimObject('nodes', {
      metadata: {
        name: 'worker-1',
        uid: 'n-1',
        annotations: {
          'flannel.alpha.coreos.com/backend-type': 'vxlan',
          'flannel.alpha.coreos.com/backend-data': '{"VNI":1,"VtepMAC":"aa:bb:cc:dd:ee:ff"}',
          'flannel.alpha.coreos.com/public-ip': '172.18.0.3',
          'projectcalico.org/IPv4IPIPTunnelAddr': '192.168.1.0',
          'io.cilium.network.ipv4-cilium-host': '10.0.1.1',
          'kubeadm.alpha.kubernetes.io/cri-socket': 'unix:///run/containerd/containerd.sock',
          'node.alpha.kubernetes.io/ttl': '0',
          'example.com/secret': SECRET,
        },
      },
      spec: { podCIDR: '10.244.1.0/24', podCIDRs: ['10.244.1.0/24'], taints: [{ key: SECRET, effect: 'NoSchedule' }] },
    });
    expect(Object.keys(node?.metadata.annotations ?? {}).sort()).toEqual([
      'flannel.alpha.coreos.com/backend-data',
      'flannel.alpha.coreos.com/backend-type',
      'flannel.alpha.coreos.com/public-ip',
      'io.cilium.network.ipv4-cilium-host',
      'projectcalico.org/IPv4IPIPTunnelAddr',
    ]);
    expect(node?.spec).toStrictEqual({ podCIDR: '10.244.1.0/24', podCIDRs: ['10.244.1.0/24'] });
    expect(JSON.stringify(node)).not.toContain('SENTINEL');
  });

  test('DaemonSet env: only the named datapath settings, only literal values; every other variable is dropped', () => {
    const ds = trimObject('daemonSets', {
      metadata: { name: 'calico-node', namespace: 'kube-system', uid: 'ds-2' },
      spec: {
        template: {
          spec: {
            hostNetwork: true,
            initContainers: [{ name: 'install-cni', image: 'docker.io/calico/cni:v3.29.1', env: [{ name: 'CNI_NETWORK_CONFIG', value: SECRET }] }],
            containers: [
              {
                name: 'calico-node',
                image: 'docker.io/calico/node:v3.29.1',
                envFrom: [{ configMapRef: { name: `endpoint-${SECRET}` } }, { secretRef: { name: `all-${SECRET}` } }],
                env: [
                  { name: 'DATASTORE_TYPE', value: 'kubernetes' },
                  { name: 'CALICO_IPV4POOL_IPIP', value: 'Always' },
                  { name: 'CALICO_IPV4POOL_VXLAN', value: 'Never' },
                  { name: 'FELIX_INTERFACEPREFIX', value: 'eni,veth' },
                  // A reference, not a value: nothing to keep even though the name is allowed.
                  { name: 'CALICO_NETWORKING_BACKEND', valueFrom: { configMapKeyRef: { name: 'calico-config', key: 'calico_backend' } } },
                  { name: 'ETCD_KEY', value: SECRET },
                  { name: 'WEAVE_PASSWORD', valueFrom: { secretKeyRef: { name: `weave-${SECRET}`, key: 'weave-passwd' } } },
                  { name: 'AWS_SECRET_ACCESS_KEY', value: SECRET },
                  { name: 'IPALLOC_RANGE', value: 42 },
                ],
              },
              { name: 'aws-node', image: 'amazon-k8s-cni:v1.19.2', env: [{ name: 'AWS_VPC_K8S_CNI_VETHPREFIX', value: 'eni' }, { name: 'AWS_ACCESS_KEY_ID', value: SECRET }] },
              { name: 'sidecar', image: 'busybox', env: [{ name: 'TOKEN', value: SECRET }] },
            ],
          },
        },
      },
    });
    expect(JSON.stringify(ds)).not.toContain('SENTINEL');
    expect(ds?.spec.template.spec.containers).toStrictEqual([
      {
        name: 'calico-node',
        image: 'docker.io/calico/node:v3.29.1',
        env: [
          { name: 'CALICO_IPV4POOL_IPIP', value: 'Always' },
          { name: 'CALICO_IPV4POOL_VXLAN', value: 'Never' },
          { name: 'FELIX_INTERFACEPREFIX', value: 'eni,veth' },
        ],
      },
      { name: 'aws-node', image: 'amazon-k8s-cni:v1.19.2', env: [{ name: 'AWS_VPC_K8S_CNI_VETHPREFIX', value: 'eni' }] },
      { name: 'sidecar', image: 'busybox' },
    ]);
    // The allowlist names settings, never anything that looks like a credential.
    for (const name of datapathEnvAllowlist) expect(name).not.toMatch(/TOKEN|PASSW|SECRET|KEY|CREDENTIAL/i);
  });

  test('an allowlisted variable whose value is not the shape of its setting is dropped', () => {
    const ds = trimObject('daemonSets', {
      metadata: { name: 'calico-node', namespace: 'kube-system', uid: 'ds-9' },
      spec: {
        template: {
          spec: {
            containers: [
              {
                name: 'calico-node',
                env: [
                  { name: 'CALICO_IPV4POOL_IPIP', value: `Always ${SECRET}` },
                  { name: 'FELIX_INTERFACEPREFIX', value: SECRET },
                  { name: 'CALICO_IPV4POOL_CIDR', value: '10.0.0.0/16' },
                  { name: 'CALICO_IPV4POOL_VXLAN', valueFrom: { secretKeyRef: { name: 'x', key: 'y' } } },
                ],
              },
            ],
          },
        },
      },
    });
    expect(JSON.stringify(ds)).not.toContain(SECRET);
    expect(ds?.spec.template.spec.containers[0]?.env).toEqual([{ name: 'CALICO_IPV4POOL_CIDR', value: '10.0.0.0/16' }]);
  });

  test('Antrea\'s agent configuration keeps only its datapath settings, re-serialised', () => {
    const antrea = trimObject('configMaps', {
      metadata: { name: 'antrea-config', namespace: 'kube-system', uid: 'cm-6' },
      data: {
        'antrea-agent.conf': `# Tunnel protocols used for encapsulating traffic across Nodes.\ntrafficEncapMode: "hybrid"\ntunnelType: vxlan\ntunnelPort: 0\nflowCollectorAddr: "collector.example:4739:${SECRET}"\nclientCAFile: /etc/${SECRET}\nfeatureGates:\n  Egress: true\n  Secret: ${SECRET}\n`,
        'antrea-cni.conflist': '{}',
        'antrea-controller.conf': `selfSignedCert: ${SECRET}`,
      },
    });
    expect(antrea?.data).toStrictEqual({ 'antrea-agent.conf': 'trafficEncapMode: hybrid\ntunnelType: vxlan\ntunnelPort: 0\n' });
    expect(trimObject('configMaps', { metadata: { name: 'antrea-config', namespace: 'kube-system', uid: 'cm-7' }, data: { 'antrea-agent.conf': '[not: yaml' } })?.data).toStrictEqual({});
    expect(configMapYamlSettings['antrea-agent.conf']).not.toContain('featureGates');
  });

  test('OVN-Kubernetes: the cluster network from ovn-config, not the API server address; its node annotations', () => {
    const ovn = trimObject('configMaps', {
      metadata: { name: 'ovn-config', namespace: 'ovn-kubernetes', uid: 'cm-8' },
      data: { net_cidr: '10.128.0.0/14/23', svc_cidr: '172.30.0.0/16', k8s_apiserver: `https://${SECRET}:6443` },
    });
    expect(ovn?.data).toStrictEqual({ net_cidr: '10.128.0.0/14/23', svc_cidr: '172.30.0.0/16' });
    const node = trimObject('nodes', {
      metadata: {
        name: 'ovn-worker',
        uid: 'n-2',
        annotations: {
          'k8s.ovn.org/node-subnets': '{"default":["10.244.1.0/24"]}',
          'k8s.ovn.org/l3-gateway-config': '{"default":{"mode":"shared","interface-id":"breth0_ovn-worker"}}',
          'k8s.ovn.org/node-primary-ifaddr': '{"ipv4":"172.18.0.3/16"}',
          'k8s.ovn.org/node-chassis-id': SECRET,
        },
      },
    });
    expect(Object.keys(node?.metadata.annotations ?? {}).sort()).toEqual(['k8s.ovn.org/l3-gateway-config', 'k8s.ovn.org/node-primary-ifaddr', 'k8s.ovn.org/node-subnets']);
  });

  test('the allowlists never name last-applied or a Secret', () => {
    expect(annotationAllowlist).not.toContain('kubectl.kubernetes.io/last-applied-configuration');
    for (const entry of configMapAllowlist) expect(entry.keys).not.toContain('kubeconfig.conf');
  });

  test('an Ingress keeps TLS hosts but not the certificate Secret’s name', () => {
    const ingress = trimObject('ingresses', {
      metadata: { name: 'shop', namespace: 'shop', uid: 'i-1', annotations: { 'kubernetes.io/ingress.class': 'nginx' } },
      spec: {
        tls: [{ hosts: ['shop.example'], secretName: `tls-${SECRET}` }],
        rules: [{ host: 'shop.example', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: { name: 'http' } } } }] } }],
      },
    });
    expect(ingress?.spec.tls).toStrictEqual([{ hosts: ['shop.example'] }]);
    expect(ingress?.metadata.annotations).toStrictEqual({ 'kubernetes.io/ingress.class': 'nginx' });
    expect(JSON.stringify(ingress)).not.toContain('SENTINEL');
  });
});

describe('trimObject on odd input', () => {
  test('refuses objects without name or uid, and non-objects', () => {
    expect(trimObject('pods', { metadata: { name: 'x' }, spec: { containers: [] } })).toBeNull();
    expect(trimObject('pods', { metadata: { uid: 'u' }, spec: { containers: [] } })).toBeNull();
    expect(trimObject('pods', null)).toBeNull();
    expect(trimObject('pods', 'pod')).toBeNull();
    expect(trimObject('endpointSlices', { metadata: { name: 's', uid: 'u' }, addressType: 'IPX' })).toBeNull();
  });

  test('drops fields of the wrong type instead of trusting them', () => {
    const pod = trimObject('pods', {
      metadata: { name: 'p', uid: 'u', labels: { app: 'a', count: 3 } },
      spec: { containers: [{ name: 'c', ports: [{ containerPort: '80' }, { containerPort: 81, protocol: 'ICMP' }] }, { image: 'nameless' }], hostNetwork: 'yes' },
    });
    expect(pod).toStrictEqual({ metadata: { name: 'p', uid: 'u', labels: { app: 'a' } }, spec: { containers: [{ name: 'c', ports: [{ containerPort: 81 }] }] } });
    expect(trimObject('pods', { metadata: { name: 'p', uid: 'u' } })?.spec).toStrictEqual({ containers: [] });
    expect(trimObject('networkPolicies', { metadata: { name: 'n', uid: 'u' }, spec: {} })?.spec).toStrictEqual({ podSelector: {} });
  });

  test('timestamps revived as Dates by a client library come back as API strings', () => {
    const ns = trimObject('namespaces', { metadata: { name: 'a', uid: 'u', creationTimestamp: new Date('2026-01-02T03:04:05Z') } });
    expect(ns?.metadata.creationTimestamp).toBe('2026-01-02T03:04:05Z');
  });

  test('Gateway API objects', () => {
    const gateway = trimObject('gateways', {
      metadata: { name: 'gw', namespace: 'infra', uid: 'g-1' },
      spec: { gatewayClassName: 'cilium', listeners: [{ name: 'http', port: 80, protocol: 'HTTP', allowedRoutes: { namespaces: { from: 'All' } } }] },
      status: { addresses: [{ type: 'IPAddress', value: '203.0.113.7' }], conditions: [{ type: 'Programmed', status: 'True' }] },
    });
    expect(gateway).toStrictEqual({
      metadata: { name: 'gw', namespace: 'infra', uid: 'g-1' },
      spec: { gatewayClassName: 'cilium', listeners: [{ name: 'http', port: 80, protocol: 'HTTP' }] },
      status: { addresses: [{ type: 'IPAddress', value: '203.0.113.7' }] },
    });
    const route = trimObject('httpRoutes', {
      metadata: { name: 'r', namespace: 'shop', uid: 'r-1' },
      spec: {
        parentRefs: [{ name: 'gw', namespace: 'infra', sectionName: 'http' }],
        hostnames: ['shop.example'],
        rules: [{ matches: [{ path: { type: 'PathPrefix', value: '/' }, headers: [{ name: 'x', value: 'y' }] }], backendRefs: [{ name: 'web', port: 80, weight: 1 }], filters: [] }],
      },
    });
    expect(route?.spec).toStrictEqual({
      parentRefs: [{ name: 'gw', namespace: 'infra', sectionName: 'http' }],
      hostnames: ['shop.example'],
      rules: [{ matches: [{ path: { type: 'PathPrefix', value: '/' } }], backendRefs: [{ name: 'web', port: 80, weight: 1 }] }],
    });
  });
});

describe('kindOf', () => {
  test.each([
    ['v1', 'Node', 'nodes'],
    ['v1', 'Namespace', 'namespaces'],
    ['v1', 'Pod', 'pods'],
    ['v1', 'Service', 'services'],
    ['v1', 'ConfigMap', 'configMaps'],
    ['apps/v1', 'DaemonSet', 'daemonSets'],
    ['discovery.k8s.io/v1', 'EndpointSlice', 'endpointSlices'],
    ['networking.k8s.io/v1', 'NetworkPolicy', 'networkPolicies'],
    ['networking.k8s.io/v1', 'Ingress', 'ingresses'],
    ['networking.k8s.io/v1', 'IngressClass', 'ingressClasses'],
    ['gateway.networking.k8s.io/v1', 'Gateway', 'gateways'],
    ['gateway.networking.k8s.io/v1beta1', 'Gateway', 'gateways'],
    ['gateway.networking.k8s.io/v1', 'HTTPRoute', 'httpRoutes'],
    ['gateway.networking.k8s.io/v1beta1', 'HTTPRoute', 'httpRoutes'],
    ['v1', 'Secret', null],
    ['apps/v1', 'Deployment', null],
    ['v1', 'Endpoints', null],
    ['apps/v1', 'Pod', null],
    ['v1', 'constructor', null],
  ])('%s %s → %s', (apiVersion, kind, expected) => {
    expect(kindOf(apiVersion, kind)).toBe(expected);
  });
});
