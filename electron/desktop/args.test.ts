import { expect, test } from 'vitest';
import { parseDesktopArgs, requestedSnapshot } from './args.ts';

const none = { snapshotPath: null, kubeconfig: null, context: null, files: [] };

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

test('a file the OS hands over (file association, Open with) is a snapshot to open', () => {
  const args = parseDesktopArgs(['/opt/Podpath/podpath', '--no-sandbox', '/home/ana/prod.podpath.json']);
  expect(args).toEqual({ ...none, files: ['/home/ana/prod.podpath.json'] });
  expect(requestedSnapshot(args)).toBe('/home/ana/prod.podpath.json');
  // The executable itself and the development app path are never files to open.
  expect(parseDesktopArgs(['/tmp/weird.json', '.']).files).toEqual([]);
  // A flag's value is not also a bare file; --snapshot wins over bare files.
  const both = parseDesktopArgs(['podpath', '--kubeconfig', 'k.json', 'a.podpath.json', '--snapshot', 'b.podpath.json']);
  expect(both).toMatchObject({ kubeconfig: 'k.json', files: ['a.podpath.json'], snapshotPath: 'b.podpath.json' });
  expect(requestedSnapshot(both)).toBe('b.podpath.json');
  expect(requestedSnapshot(parseDesktopArgs(['podpath', 'a.json', 'b.JSON']))).toBe('b.JSON');
  expect(requestedSnapshot(parseDesktopArgs(['podpath']))).toBeNull();
});
