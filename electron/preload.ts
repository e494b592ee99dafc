/**
 * The bridge (design §6): one object, `window.podpath`, built from the contract in
 * shared/ipc.ts. The renderer never sees ipcRenderer, an IpcRendererEvent, or a channel
 * outside the contract.
 */
import { contextBridge, ipcRenderer } from 'electron';
import {
  channelOf,
  eventNames,
  requestNames,
  unwrapReply,
  type EventName,
  type Events,
  type PodpathApi,
  type Reply,
} from '../shared/ipc.ts';

const requests = Object.fromEntries(
  requestNames.map((name) => [
    name,
    async (payload: unknown) => unwrapReply((await ipcRenderer.invoke(channelOf(name), payload)) as Reply<unknown>),
  ]),
);

const api = {
  ...requests,
  on<K extends EventName>(event: K, listener: (payload: Events[K]) => void): () => void {
    if (!eventNames.includes(event)) throw new Error(`Unknown Podpath event ${JSON.stringify(event)}.`);
    const channel = channelOf(event);
    const forward = (_event: unknown, payload: Events[K]) => listener(payload);
    ipcRenderer.on(channel, forward);
    return () => {
      ipcRenderer.removeListener(channel, forward);
    };
  },
} as PodpathApi;

contextBridge.exposeInMainWorld('podpath', api);
