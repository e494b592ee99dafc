// What `podpath` prints reaches a terminal: names from a hand-made snapshot with escape
// sequences in them come out as visible escapes (and JSON stays exact), and an error never
// shows a credential. The real bin/podpath.mjs, as a user runs it.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { repoRoot } from './e2e/serve.ts';
import { runPodpath } from './podpath-cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'podpath-terminal-'));
/** Clears the screen, retitles the window, and a C1 CSI that turns the text red. */
const hostile = 'web\u001b[2J\u001b]0;pwned\u0007\u009b31m\u202e';
const unprintable = /[\p{Cc}\u202a-\u202e\u2066-\u2069]/u;

type Pod = { metadata: { name: string; uid: string; namespace: string } };
const snapshot = JSON.parse(readFileSync(join(repoRoot, 'assets/demo-cluster.podpath.json'), 'utf8')) as { objects: { pods: Pod[] } };
const pod = snapshot.objects.pods.find((p) => p.metadata.namespace === 'shop' && p.metadata.name.startsWith('frontend-'))!;
pod.metadata.name = hostile;
const snapshotPath = join(dir, 'hostile.podpath.json');
writeFileSync(snapshotPath, JSON.stringify(snapshot));

/** The output without the line breaks and tabs that are its layout. */
const withoutLayout = (text: string) => text.replace(/[\n\t]/g, '');

describe('names with control characters', () => {
  test('describe: visible escapes in the text, the exact name in the JSON', async () => {
    const text = await runPodpath(['describe', '--snapshot', snapshotPath]);
    expect(text.code).toBe(0);
    expect(withoutLayout(text.stdout)).not.toMatch(unprintable);
    expect(text.stdout).toContain('web\\u001b[2J\\u001b]0;pwned\\u0007\\u009b31m\\u202e');
    const json = await runPodpath(['describe', '--snapshot', snapshotPath, '--json']);
    expect(withoutLayout(json.stdout)).not.toMatch(unprintable);
    expect((JSON.parse(json.stdout) as { pods: { name: string }[] }).pods.map((p) => p.name)).toContain(hostile);
  });

  test('trace: visible escapes, and under --color only its own colours', async () => {
    const args = ['trace', '--snapshot', snapshotPath, '--from', `pod:${pod.metadata.uid}`, '--to', 'svc/shop/backend'];
    const plain = await runPodpath(args);
    expect(plain.stdout).toContain('web\\u001b[2J');
    expect(withoutLayout(plain.stdout)).not.toMatch(unprintable);
    const colored = await runPodpath([...args, '--color']);
    expect(colored.stdout).toContain('\u001b[1m');
    expect(colored.stdout).toContain('web\\u001b[2J');
    // eslint-disable-next-line no-control-regex
    const ownColours = /\u001b\[(?:1|2|22|31|32|33|36|39)m/g;
    expect(withoutLayout(colored.stdout.replace(ownColours, ''))).not.toMatch(unprintable);
  });
});

describe('errors', () => {
  test('a server URL with a user and password: the error names the server, not the password', async () => {
    const kubeconfig = join(dir, 'kubeconfig');
    writeFileSync(
      kubeconfig,
      [
        'apiVersion: v1',
        'kind: Config',
        'current-context: c',
        'clusters: [{name: k, cluster: {server: "https://admin:hunter2@127.0.0.1:1", insecure-skip-tls-verify: true}}]',
        'users: [{name: u, user: {token: abcdefghijklmnopqrstuvwxyz}}]',
        'contexts: [{name: c, context: {cluster: k, user: u}}]',
      ].join('\n'),
    );
    const result = await runPodpath(['describe', '--kubeconfig', kubeconfig]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('127.0.0.1:1');
    expect(result.stderr).not.toContain('hunter2');
    expect(result.stderr).not.toContain('admin:');
  });
});
