import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readFile } from 'node:fs/promises';
import { describe, expect, test, vi } from 'vitest';

const fake = vi.hoisted(() => ({ protocol: { registerSchemesAsPrivileged: vi.fn(), handle: vi.fn() }, net: { fetch: vi.fn() } }));
vi.mock('electron', () => ({ protocol: fake.protocol, net: fake.net }));

const { appFilePath, appFileResponse, registerAppScheme, serveAppFiles } = await import('./app-protocol.ts');

const root = mkdtempSync(join(tmpdir(), 'podpath-app-'));
const rendererDir = join(root, 'renderer', 'main_window');
mkdirSync(join(rendererDir, 'assets'), { recursive: true });
writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>Podpath</title>');
writeFileSync(join(rendererDir, 'assets', 'index.js'), 'export {}');
writeFileSync(join(root, 'renderer', 'secret.txt'), 'secret');

/** net.fetch of a file:// URL, as Electron answers it: the file, or a failure. */
async function fetchFromDisk(url: string): Promise<Response> {
  const body = await readFile(fileURLToPath(url));
  return new Response(body, { headers: { 'Content-Type': url.endsWith('.html') ? 'text/html' : 'text/javascript' } });
}

describe('app:// scheme', () => {
  test('is registered standard and secure, before ready, with the default protocol module', () => {
    registerAppScheme();
    expect(fake.protocol.registerSchemesAsPrivileged).toHaveBeenCalledWith([
      { scheme: 'app', privileges: expect.objectContaining({ standard: true, secure: true }) },
    ]);
  });

  test('its handler serves the renderer folder through net.fetch, with the CSP', async () => {
    fake.net.fetch.mockImplementation(fetchFromDisk);
    serveAppFiles(fake.protocol, rendererDir, "default-src 'none'");
    const [scheme, handler] = fake.protocol.handle.mock.calls[0] as [string, (request: { url: string }) => Promise<Response>];
    expect(scheme).toBe('app');
    const response = await handler({ url: 'app://podpath/index.html' });
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('<title>Podpath</title>');
    expect(response.headers.get('content-security-policy')).toBe("default-src 'none'");
    expect(response.headers.get('content-type')).toBe('text/html');
    expect(fake.net.fetch).toHaveBeenCalledWith(`file://${join(rendererDir, 'index.html')}`);
  });
});

describe('appFilePath: the renderer folder and nothing else', () => {
  test.each([
    ['app://podpath/', 'index.html'],
    ['app://podpath/index.html', 'index.html'],
    ['app://podpath/assets/index.js?v=1#x', 'assets/index.js'],
    ['app://podpath/a%20b.js', 'a b.js'],
    // Dot segments are resolved within the URL, as the browser does: they stay inside.
    ['app://podpath/../secret.txt', 'secret.txt'],
    ['app://podpath/%2e%2e/secret.txt', 'secret.txt'],
  ])('%s → %s', (url, file) => expect(appFilePath(url, rendererDir)).toBe(join(rendererDir, file)));

  test.each([
    'app://podpath/..%2fsecret.txt',
    'app://podpath/assets/..%2f..%2fsecret.txt',
    'app://podpath/%2e%2e%2f%2e%2e%2fetc/passwd',
    'app://podpath/%ZZ',
    'app://podpath/a%00.html',
    'app://evil/index.html',
    'file:///etc/passwd',
    'not a url',
  ])('%s is refused', (url) => expect(appFilePath(url, rendererDir)).toBeNull());

  test('a refused path or a missing file is a 404, never a read outside', async () => {
    const fetchFile = vi.fn(fetchFromDisk);
    expect((await appFileResponse('app://podpath/..%2fsecret.txt', rendererDir, '', fetchFile)).status).toBe(404);
    expect(fetchFile).not.toHaveBeenCalled();
    expect((await appFileResponse('app://podpath/missing.js', rendererDir, '', fetchFile)).status).toBe(404);
  });
});
