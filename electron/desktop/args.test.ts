import { expect, test } from 'vitest';
import { parseDesktopArgs } from './args.ts';

test('--snapshot FILE and --snapshot=FILE name the snapshot to open', () => {
  expect(parseDesktopArgs(['/opt/Podpath/podpath', '--snapshot', 'prod.podpath.json'])).toEqual({ snapshotPath: 'prod.podpath.json' });
  expect(parseDesktopArgs(['electron', '.', '--snapshot=/tmp/a.json'])).toEqual({ snapshotPath: '/tmp/a.json' });
});

test("Electron's and Chromium's own switches are ignored, and a switch is never taken for a file", () => {
  expect(parseDesktopArgs(['electron', '--no-sandbox', '.', '--inspect=0'])).toEqual({ snapshotPath: null });
  expect(parseDesktopArgs(['podpath', '--snapshot', '--no-sandbox'])).toEqual({ snapshotPath: null });
  expect(parseDesktopArgs(['podpath', '--snapshot'])).toEqual({ snapshotPath: null });
});
