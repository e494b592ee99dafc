/**
 * Where plain-Node entry points find the bundled demo. Its own module, free of the Kubernetes
 * client, so offline CLI commands (`trace --demo`, `doctor --snapshot`) can read it without
 * loading what backend.ts needs for live contexts.
 */
import { fileURLToPath } from 'node:url';

export const demoFileName = 'demo-cluster.podpath.json';

/**
 * The repository's (or packaged app's) `assets/` folder. Resolved from this file, two levels
 * below the root; the CLI bundle (scripts/build-cli.ts) keeps its files at that depth too.
 */
export function defaultAssetsDir(): string {
  return fileURLToPath(new URL('../../assets/', import.meta.url));
}
