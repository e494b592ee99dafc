import { describe, expect, test } from 'vitest';
import type { KubeNode } from '../../../shared/kube/objects.ts';
import { findNodeContainer, nodeContainerOf } from './sources.ts';
import type { Runner } from './runner.ts';

const node = (name: string, extra: { providerID?: string; labels?: Record<string, string> } = {}): KubeNode => ({
  metadata: { name, uid: `uid-${name}`, labels: extra.labels },
  spec: extra.providerID ? { providerID: extra.providerID } : {},
});

describe('nodeContainerOf', () => {
  test('kind: by the providerID, whose provider names the CLI', () => {
    expect(nodeContainerOf(node('dev-worker', { providerID: 'kind://docker/dev/dev-worker' }), 'prod')).toEqual({
      container: 'dev-worker',
      clis: ['docker'],
      evidence: 'providerID kind://docker/dev/dev-worker',
    });
    expect(nodeContainerOf(node('dev-worker', { providerID: 'kind://podman/dev/dev-worker' }), null)?.clis).toEqual(['podman']);
  });

  test('minikube: by its label; the driver is not on the Node, so docker then podman', () => {
    expect(nodeContainerOf(node('minikube-m02', { labels: { 'minikube.k8s.io/name': 'minikube' } }), 'minikube')).toMatchObject({ container: 'minikube-m02', clis: ['docker', 'podman'] });
  });

  test('a kind- context without providerIDs still points at the containers', () => {
    expect(nodeContainerOf(node('dev-control-plane'), 'kind-dev')?.evidence).toBe('context kind-dev');
  });

  test('a cloud node is not a container, whatever the context is called', () => {
    expect(nodeContainerOf(node('ip-10-0-1-2', { providerID: 'aws:///eu-west-1a/i-0abc' }), 'kind-dev')).toBeNull();
    expect(nodeContainerOf(node('worker-1'), 'prod')).toBeNull();
  });
});

describe('findNodeContainer', () => {
  test('asks each CLI with an argv whose container name is one element, and takes the first that runs it', async () => {
    const asked: string[][] = [];
    const runner = (cli: string): Runner => (argv) => {
      asked.push([cli, ...argv]);
      const running = cli === 'podman';
      return Promise.resolve({ kind: 'exited', exitCode: running ? 0 : 1, stdout: running ? 'true\n' : '', stderr: running ? '' : 'Error: No such container' });
    };
    const cli = await findNodeContainer({ container: 'mini; id', clis: ['docker', 'podman'], evidence: '' }, runner);
    expect(cli).toBe('podman');
    expect(asked).toEqual([
      ['docker', 'container', 'inspect', '--format', '{{.State.Running}}', 'mini; id'],
      ['podman', 'container', 'inspect', '--format', '{{.State.Running}}', 'mini; id'],
    ]);
  });
});
