/**
 * The ConfigMaps that say how the demo's networking is set up: kube-proxy's configuration
 * (iptables mode) and Flannel's (VXLAN), as kubeadm and upstream Flannel write them.
 */
import type { ConfigMap } from '../../shared/kube/objects.ts';
import { podNetwork } from './facts.ts';
import { meta } from './identity.ts';

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

export function configMaps(): ConfigMap[] {
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
