import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

/** The renderer built without minifying into `dir`, so that the page's profile names functions. */
export async function readableRenderer(dir: string): Promise<string> {
  const vite = fileURLToPath(new URL('../node_modules/vite/bin/vite.js', import.meta.url));
  await promisify(execFile)(process.execPath, [vite, 'build', '--config', 'vite.renderer.config.ts', '--logLevel', 'warn', '--minify', 'false', '--outDir', dir, '--emptyOutDir'], {
    cwd: fileURLToPath(new URL('..', import.meta.url)),
  });
  return dir;
}

/** A V8 CPU profile (the page's through CDP, a Node process's --cpu-prof) summed up for `npm run bench` (PODPATH_BENCH_PROFILE=1). */
export interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }[];
  samples?: number[];
  timeDeltas?: number[];
}

/** The page's functions by self time, and by total time (self plus callees), during the run. */
export function printProfile(profile: CpuProfile, what = 'page', out: { write(text: string): unknown } = process.stdout): void {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map<number, number>();
  (profile.samples ?? []).forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas?.[i] ?? 0) / 1000));
  const name = (id: number) => {
    const f = byId.get(id)!.callFrame;
    return `${f.functionName || '(anonymous)'} ${f.url.split('/').at(-1)}:${f.lineNumber + 1}`;
  };
  const selfBy = new Map<string, number>();
  const totalBy = new Map<string, number>();
  for (const [id, t] of self) {
    selfBy.set(name(id), (selfBy.get(name(id)) ?? 0) + t);
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const key = name(at);
      if (!seen.has(key)) totalBy.set(key, (totalBy.get(key) ?? 0) + t);
      seen.add(key);
    }
  }
  const top = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]).slice(0, 25).map(([k, t]) => `    ${t.toFixed(0).padStart(7)} ms  ${k}`).join('\n');
  out.write(`  ${what} profile, self time:\n${top(selfBy)}\n  total time:\n${top(totalBy)}\n`);
}
