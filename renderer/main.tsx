import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.tsx';
import type { GraphAdapter } from './graph/adapter.ts';
import { createClusterStore } from './state/cluster.ts';
import { createStore } from './state/store.ts';
import { connect } from './transport/connect.ts';
import './app.css';

const api = connect();
const cluster = createClusterStore(api);
const connection = createStore(api.status);
let wasClosed = false;
api.onDidChangeConnection((status) => {
  connection.set(status);
  if (status.state === 'closed') wasClosed = true;
  // The backend may have moved on while we were away: start again from its full state.
  if (status.state === 'open' && wasClosed) {
    wasClosed = false;
    void cluster.reload();
  }
});
void cluster.reload();

let graph: GraphAdapter | null = null;
window.podpathView = { renderedCenter: (id) => graph?.renderedCenter(id) ?? null };

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element.');
createRoot(root).render(
  <StrictMode>
    <App api={api} cluster={cluster} connection={connection} onGraphReady={(adapter) => (graph = adapter)} />
  </StrictMode>,
);
