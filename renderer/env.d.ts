import type { PodpathApi } from '../shared/ipc.ts';
import type { PodpathView } from './graph/view-hook.ts';

declare global {
  interface Window {
    /** Exposed by the Electron preload (electron/preload.ts); absent in browser mode. */
    podpath?: PodpathApi;
    /** A read-only hook for end-to-end tests; see graph/view-hook.ts. */
    podpathView?: PodpathView;
  }
}
