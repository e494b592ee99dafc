import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.tsx';
import type { GraphAdapter } from './graph/adapter.ts';
import { createClusterStore } from './state/cluster.ts';
import { createOpener } from './state/opening.ts';
import { pacedShows } from './state/paced-shows.ts';
import { createStore } from './state/store.ts';
import { connect } from './transport/connect.ts';
import { applyThemeChoice, readThemeChoice } from './graph/theme.ts';
// The stylesheets, one per part of the window. The order is the cascade: theme variables, then
// the page, the header and the shared controls, then the panels.
import './styles/theme.css';
import './styles/base.css';
import './styles/header.css';
import './styles/controls.css';
import './styles/overlays.css';
import './styles/picker.css';
import './styles/kinds-status.css';
import './styles/banners.css';
import './styles/layout.css';
import './styles/details.css';
import './styles/legend.css';
import './styles/search.css';
import './styles/filters.css';
import './styles/help.css';
import './styles/trace.css';
import './styles/trace-policy.css';
import './styles/context-menu.css';
import './styles/problems.css';
import './styles/datapath.css';

// The theme the user picked last time, before anything is drawn (else the OS's).
applyThemeChoice(readThemeChoice());

const api = connect();
// The cluster store resyncs by itself after the link comes back.
// Deltas that arrive within one frame are drawn together, in the next, paced so that slow draws
// leave the page time to take in the socket's messages (issue 14, paced-shows.ts).
const cluster = createClusterStore(api, { scheduleShow: pacedShows() });
const opener = createOpener(cluster);
const connection = createStore(api.status);
api.onDidChangeConnection((status) => connection.set(status));
void cluster.reload();

let graph: GraphAdapter | null = null;
window.podpathView = {
  renderedCenter: (id) => graph?.renderedCenter(id) ?? null,
  renderedBox: (id) => graph?.renderedBox(id) ?? null,
  tracedIds: () => graph?.tracedIds() ?? [],
  markedIds: () => graph?.markedIds() ?? [],
  problemIds: () => graph?.problemIds() ?? [],
  traceSteps: () => graph?.traceSteps() ?? [],
  exportImage: (format, scope) => (graph ? graph.exportImage(format, scope) : Promise.reject(new Error('The graph is not drawn yet.'))),
  viewport: () => graph?.viewport() ?? null,
  panBy: (dx, dy) => graph?.panBy(dx, dy),
  zoomBy: (factor) => graph?.zoomBy(factor),
  renderedFontSize: (id) => graph?.renderedFontSize(id) ?? null,
  drawnLabel: (id) => graph?.drawnLabel(id) ?? null,
  isShown: (id) => graph?.isShown(id) ?? false,
  modelPosition: (id) => graph?.modelPosition(id) ?? null,
  onDidDraw: (listener) => graph?.onDidDraw(listener) ?? (() => {}),
};

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element.');
createRoot(root).render(
  <StrictMode>
    <App api={api} cluster={cluster} opener={opener} connection={connection} onGraphReady={(adapter) => (graph = adapter)} />
  </StrictMode>,
);
