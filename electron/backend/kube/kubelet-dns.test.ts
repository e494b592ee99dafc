/**
 * Reading the kubelets' DNS settings from configz: only clusterDNS and clusterDomain are kept,
 * the first 403 stops the reading, and other failures are named per node. The client is a
 * stand-in answering as the API server's node proxy does (a configz body is
 * `{"kubeletconfig": {...}}`, as the kubelet's /configz handler writes it).
 */
import { describe, expect, test } from 'vitest';
import { KubeHttpError, type KubeClient } from './client.ts';
import { readKubeletDns, withKubeletDns } from './kubelet-dns.ts';

function client(answers: Record<string, unknown | KubeHttpError>): KubeClient & { asked: string[] } {
  const asked: string[] = [];
  return {
    server: 'https://api.example:6443',
    asked,
    getJSON: async <T>(path: string): Promise<T> => {
      asked.push(path);
      const answer = answers[path];
      if (answer instanceof KubeHttpError) throw answer;
      if (answer === undefined) throw new KubeHttpError(503, '{"message":"no kubelet"}', path);
      return answer as T;
    },
    openStream: () => Promise.reject(new Error('not used')),
  };
}

const configz = (clusterDNS: string[], clusterDomain: string) => ({ kubeletconfig: { clusterDNS, clusterDomain, staticPodPath: '/etc/kubernetes/manifests', authentication: { x509: { clientCAFile: '/etc/kubernetes/pki/ca.crt' } } } });

describe('readKubeletDns', () => {
  test('keeps clusterDNS and clusterDomain only, per node', async () => {
    const reading = await readKubeletDns(client({ '/api/v1/nodes/a/proxy/configz': configz(['169.254.20.10'], 'cluster.local'), '/api/v1/nodes/b/proxy/configz': configz(['10.96.0.10'], 'corp.internal') }), ['a', 'b']);
    expect(Object.fromEntries(reading.byNode)).toEqual({ a: { clusterDNS: ['169.254.20.10'], clusterDomain: 'cluster.local' }, b: { clusterDNS: ['10.96.0.10'], clusterDomain: 'corp.internal' } });
    expect(reading.problems).toEqual([]);
    const nodes = withKubeletDns([{ metadata: { name: 'a', uid: '1' } }, { metadata: { name: 'c', uid: '3' } }], reading);
    expect(nodes[0]?.kubeletConfig).toEqual({ clusterDNS: ['169.254.20.10'], clusterDomain: 'cluster.local' });
    expect(nodes[1]?.kubeletConfig).toBeUndefined();
  });

  test('a 403 stops the reading and says which permission is missing', async () => {
    const forbidden = new KubeHttpError(403, '{"message":"nodes \\"a\\" is forbidden","reason":"Forbidden"}', '/api/v1/nodes/a/proxy/configz');
    const fake = client({ '/api/v1/nodes/a/proxy/configz': forbidden, '/api/v1/nodes/b/proxy/configz': forbidden, '/api/v1/nodes/c/proxy/configz': forbidden });
    const reading = await readKubeletDns(fake, ['a', 'b', 'c'], { concurrency: 1 });
    expect(reading.byNode.size).toBe(0);
    expect(reading.problems).toEqual(["the kubelets' configz was not read: reading it needs get on nodes/proxy"]);
    expect(fake.asked).toHaveLength(1);
  });

  test('a kubelet that does not answer is named, the others are read', async () => {
    const reading = await readKubeletDns(client({ '/api/v1/nodes/a/proxy/configz': configz(['10.96.0.10'], 'cluster.local') }), ['a', 'down']);
    expect([...reading.byNode.keys()]).toEqual(['a']);
    expect(reading.problems).toEqual(['node down: 503: no kubelet']);
  });
});
