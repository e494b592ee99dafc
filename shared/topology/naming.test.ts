import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import {
  antreaVethName,
  antreaVethPrefix,
  awsVethName,
  azureVethName,
  calicoInterfacePrefix,
  calicoVethName,
  ciliumVethName,
  ovnKubernetesVethName,
  weaveVethName,
} from './naming.ts';

/** test/fixtures/cni/veth-names.json: upstream and observed vectors, sources in its `_source`. */
interface Vectors {
  calico: { namespace: string; pod: string; prefix: string; name: string }[];
  aws: { namespace: string; pod: string; prefix: string; index: number; name: string }[];
  azure: { namespace: string; pod: string; name: string }[];
  cilium: { sandbox: string; interface: string; legacy: boolean; name: string }[];
  antrea: { pod: string; sandbox: string; name: string }[];
  'ovn-kubernetes': { sandbox: string; name: string }[];
  weave: { sandbox: string; name: string }[];
}

const vectors = JSON.parse(readFileSync(new URL('../../test/fixtures/cni/veth-names.json', import.meta.url), 'utf8')) as Vectors;

describe('host-side veth names, against the CNIs\' own vectors', () => {
  test('Calico: Calico\'s own unit test, VethNameForWorkload("namespace", "podname") with FELIX_INTERFACEPREFIX=eni,veth,foo', () => {
    expect(calicoVethName('namespace', 'podname', calicoInterfacePrefix('eni,veth,foo'))).toBe('eni82111e10a96');
  });

  test.each(vectors.calico)('Calico $namespace/$pod with prefix $prefix → $name', ({ namespace, pod, prefix, name }) => {
    expect(calicoVethName(namespace, pod, prefix)).toBe(name);
  });

  test('FELIX_INTERFACEPREFIX: the first entry, cali when unset or empty', () => {
    expect(calicoInterfacePrefix(undefined)).toBe('cali');
    expect(calicoInterfacePrefix('')).toBe('cali');
    expect(calicoInterfacePrefix('azv')).toBe('azv');
  });

  test.each(vectors.aws)('AWS VPC CNI $namespace/$pod (interface index $index) → $name', ({ namespace, pod, prefix, index, name }) => {
    expect(awsVethName(namespace, pod, prefix, index)).toBe(name);
  });

  test.each(vectors.azure)('Azure CNI $namespace/$pod → $name, as observed on an AKS node', ({ namespace, pod, name }) => {
    expect(azureVethName(namespace, pod)).toBe(name);
  });

  test.each(vectors.cilium)('Cilium sandbox $sandbox (legacy: $legacy) → $name', ({ sandbox, interface: ifname, legacy, name }) => {
    expect(ciliumVethName(sandbox, ifname, legacy)).toBe(name);
    expect(name).toMatch(/^lxc[0-9a-f]{12}$/);
  });

  test.each(vectors.antrea)('Antrea pod $pod → $name', ({ pod, sandbox, name }) => {
    expect(antreaVethName(pod, sandbox)).toBe(name);
    expect(name.length).toBeLessThanOrEqual(15);
  });

  test('Antrea keeps short pod names whole and trims a leading "-" only from a cut name', () => {
    expect(antreaVethPrefix('web')).toBe('web');
    expect(antreaVethPrefix('-web')).toBe('-web');
    expect(antreaVethPrefix('-abcdefghij')).toBe('abcdefg');
  });

  test.each(vectors['ovn-kubernetes'])('OVN-Kubernetes sandbox → $name', ({ sandbox, name }) => {
    expect(ovnKubernetesVethName(sandbox)).toBe(name);
  });

  test.each(vectors.weave)('Weave Net sandbox → $name', ({ sandbox, name }) => {
    expect(weaveVethName(sandbox)).toBe(name);
  });

  test('every name fits IFNAMSIZ (15 characters)', () => {
    const names = [...vectors.calico, ...vectors.aws, ...vectors.azure, ...vectors.cilium, ...vectors.antrea, ...vectors['ovn-kubernetes'], ...vectors.weave].map((v) => v.name);
    for (const name of names) expect(name.length).toBeLessThanOrEqual(15);
  });
});
