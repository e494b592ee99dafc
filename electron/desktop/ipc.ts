/**
 * The main-process side of `shared/ipc.ts`: one `ipcMain.handle` per request of the contract,
 * each refusing senders other than the app's own top frame and payloads that fail the
 * contract's schema, and backend events forwarded to the window on the contract's channels.
 */
import type { IpcMainInvokeEvent } from 'electron';
import type { Backend } from '../backend/backend.ts';
import { channelOf, dispatchRequest, eventNames, requestNames, type Reply, type RequestHandlers } from '../../shared/ipc.ts';
import type { AppLocation } from './security.ts';

/** What registering needs of `ipcMain`, so tests can hand in a recorder. */
export interface IpcMainLike {
  handle(channel: string, listener: (event: IpcMainInvokeEvent, ...args: unknown[]) => Promise<Reply<unknown>>): void;
  removeHandler(channel: string): void;
}

/** The parts of an invoke event that say who sent it. */
export type SenderOf = Pick<IpcMainInvokeEvent, 'sender' | 'senderFrame'>;

/**
 * True when the request comes from the top frame of `contents` while it shows the app. A
 * subframe, another window, or the same window after navigating away (which guardNavigation
 * should prevent, but this does not rely on it) is refused.
 */
export function isAppFrame(
  event: SenderOf,
  contents: { readonly id: number } | null,
  location: Pick<AppLocation, 'isAppUrl'>,
): boolean {
  const frame = event.senderFrame;
  return (
    contents !== null &&
    event.sender.id === contents.id &&
    frame !== null &&
    frame.parent === null &&
    location.isAppUrl(frame.url)
  );
}

const untrustedSender: Reply<never> = {
  ok: false,
  error: { code: 'forbidden', message: 'Request refused: it did not come from the Podpath window.' },
};

/** Registers every request of the contract; returns the function that removes them again. */
export function registerRequestHandlers(
  ipc: IpcMainLike,
  handlers: RequestHandlers,
  isTrusted: (event: SenderOf) => boolean,
): () => void {
  for (const name of requestNames) {
    ipc.handle(channelOf(name), async (event, ...args) => {
      if (!isTrusted(event)) return untrustedSender;
      // The preload sends exactly one payload; anything else did not come through it.
      if (args.length !== 1) {
        return { ok: false, error: { code: 'invalid-payload', message: `Invalid ${name} request: expected one payload, got ${args.length}.` } };
      }
      return dispatchRequest(handlers, name, args[0]);
    });
  }
  return () => {
    for (const name of requestNames) ipc.removeHandler(channelOf(name));
  };
}

/** Where events go: the window's WebContents, or null while there is no window. */
export interface EventSink {
  send(channel: string, payload: unknown): void;
  isDestroyed(): boolean;
}

/** Forwards the backend's events of the contract to the current window; returns the unsubscribe. */
export function forwardEvents(backend: Pick<Backend, 'onEvent'>, target: () => EventSink | null): () => void {
  return backend.onEvent((name, payload) => {
    if (!eventNames.includes(name)) return;
    const contents = target();
    if (contents && !contents.isDestroyed()) contents.send(channelOf(name), payload);
  });
}
