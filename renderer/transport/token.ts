/**
 * Browser mode's token, as the page keeps it. `podpath serve` prints `http://HOST:PORT/#token=…`:
 * a fragment is never sent to a server, nor kept in a Referer. On first load the page moves it
 * to sessionStorage (this tab only, gone with it; a reload finds it there) and takes it out of
 * the address bar and history; it is then sent only in the WebSocket handshake to its own origin.
 */
const storageKey = 'podpath.token';

export interface TokenPlace {
  location: Pick<Location, 'hash' | 'pathname' | 'search'>;
  history: Pick<History, 'replaceState' | 'state'>;
  /** Null where storage is refused (some private modes): the token then lives as long as the page. */
  storage: Pick<Storage, 'getItem' | 'setItem'> | null;
}

export function takeToken({ location, history, storage }: TokenPlace): string | null {
  const fromAddress = /^#(?:.*&)?token=([A-Za-z0-9_-]+)(?:&|$)/.exec(location.hash)?.[1] ?? null;
  if (fromAddress !== null) {
    trySetItem(storage, fromAddress);
    history.replaceState(history.state, '', location.pathname + location.search);
    return fromAddress;
  }
  return tryGetItem(storage);
}

/** sessionStorage itself throws where the browser refuses storage. */
export function sessionStorageOrNull(): Storage | null {
  try {
    return window.sessionStorage;
  } catch {
    return null;
  }
}

function trySetItem(storage: TokenPlace['storage'], token: string): void {
  try {
    storage?.setItem(storageKey, token);
  } catch {
    // Quota or policy: this page still has the token; a reload will not.
  }
}

function tryGetItem(storage: TokenPlace['storage']): string | null {
  try {
    return storage?.getItem(storageKey) ?? null;
  } catch {
    return null;
  }
}
