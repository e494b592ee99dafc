import { expect, test } from 'vitest';
import { parseDesktopArgs } from './args.ts';

const none = { snapshotPath: null, kubeconfig: null, context: null };

test('--snapshot FILE and --snapshot=FILE name the snapshot to open', () => {
  expect(parseDesktopArgs(['/opt/Podpath/podpath', '--snapshot', 'prod.podpath.json'])).toEqual({ ...none, snapshotPath: 'prod.podpath.json' });
  expect(parseDesktopArgs(['electron', '.', '--snapshot=/tmp/a.json'])).toEqual({ ...none, snapshotPath: '/tmp/a.json' });
});

test('--kubeconfig and --context choose the cluster', () => {
  expect(parseDesktopArgs(['podpath', '--kubeconfig', '/k/config', '--context=prod'])).toEqual({ ...none, kubeconfig: '/k/config', context: 'prod' });
});

test("Electron's and Chromium's own switches are ignored, and a switch is never taken for a value", () => {
  expect(parseDesktopArgs(['electron', '--no-sandbox', '.', '--inspect=0'])).toEqual(none);
  expect(parseDesktopArgs(['podpath', '--snapshot', '--no-sandbox'])).toEqual(none);
  expect(parseDesktopArgs(['podpath', '--context'])).toEqual(none);
});
