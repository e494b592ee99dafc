/**
 * The one stylesheet of the canvas (Kiali's GraphStyles): every look is a class toggled on an
 * element, never a per-element style bypass.
 */
import type cytoscape from 'cytoscape';
import { fontFamily, padding, text, vethBusOffset, vethLabelOffset } from './geometry.ts';
import type { GraphTheme } from './theme.ts';
import type { PodHealth } from './element-types.ts';
import { stripGeometry, stripImage } from './fold-health.ts';

const foldStrip = (ele: cytoscape.NodeSingular) => stripGeometry(Number(ele.data('width')), Number(ele.data('height')));

/**
 * The control-point distance that bows a tunnel edge between hosts `span` apart below the tunnel
 * devices of the hosts in between: a quadratic curve is 2t(1-t)·d off its chord, and the nearest
 * host in between, at t = 1/span, must be cleared by half a device plus a margin (28 px).
 */
const tunnelBow = (span: number | undefined): number => (span === undefined || !(span > 1) ? 0 : Math.round((14 * span * span) / (span - 1)) + 12);

const hostName = (ele: cytoscape.NodeSingular): string => String(ele.data('label') ?? '').split('\n')[0] ?? '';

/** A zoomed-out host's name: large (30), but never wider than its box (a narrow host by namespace). */
const farFontSize = (name: string, width: number): number => Math.max(12, Math.min(30, Math.floor(width / Math.max(1, name.length * 0.62))));

/** A small badge, e.g. "in", as an SVG data URI (the CSP allows data: images). */
function badge(text: string, color: string): { url: string; width: number } {
  const width = Math.round(text.length * 5.6 + 8);
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="11">` +
    `<rect x="0.5" y="0.5" width="${width - 1}" height="10" rx="3" fill="${color}"/>` +
    `<text x="${width / 2}" y="8.3" font-family="sans-serif" font-size="8" font-weight="700" fill="#fff" text-anchor="middle">${text}</text></svg>`;
  return { url: `data:image/svg+xml;utf8,${encodeURIComponent(svg)}`, width };
}

function isolationRules(theme: GraphTheme): cytoscape.StylesheetJson {
  const rule = (selector: string, text: string) => {
    const { url, width } = badge(text, theme.policy);
    return {
      selector,
      style: {
        'background-image': url,
        'background-width': `${width}px`,
        'background-height': '11px',
        'background-fit': 'none' as const,
        'background-clip': 'none' as const,
        'background-image-containment': 'over' as const,
        // On the box's bottom edge at its right, clear of the containers inside (the padding)
        // and of the label above.
        'background-position-x': '100%',
        'background-position-y': '100%',
        'background-offset-x': -6,
        'background-offset-y': 6,
        'bounds-expansion': '0px 0px 6px 0px',
      },
    };
  };
  return [
    rule('node.pod.isolated-ingress', 'in'),
    rule('node.pod.isolated-egress', 'out'),
    rule('node.pod.isolated-ingress.isolated-egress', 'in · out'),
  ];
}

export interface StyleOptions {
  /** Draw every edge from a Service, Ingress or the Internet into the node boxes (endpoints,
   * backends, exposures); by default only those of the selected or hovered element and of a
   * trace are drawn, so that they do not cross every node box. */
  showAllEndpoints?: boolean;
}

export function graphStylesheet(theme: GraphTheme, options: StyleOptions = {}): cytoscape.StylesheetJson {
  const labelBackground = {
    'text-background-color': theme.background,
    'text-background-opacity': 0.9,
    'text-background-padding': '2px',
    'text-background-shape': 'roundrectangle',
  } as const;

  return [
    {
      selector: 'node',
      style: {
        label: 'data(label)',
        'font-family': fontFamily,
        'font-size': text.size,
        'line-height': 1.25,
        color: theme.text,
        'text-wrap': 'wrap',
        'text-max-width': '1000px',
        'text-valign': 'center',
        'text-halign': 'center',
        shape: 'round-rectangle',
        'background-color': theme.hostFill,
        'border-width': 1,
        'border-color': theme.hostBorder,
        // Text too small to read (under 10 px on screen) is not drawn: it costs a frame and
        // tells nothing. Zoomed out, hosts and groups say their names large instead (far).
        'min-zoomed-font-size': 10,
      },
    },
    { selector: 'node[width]', style: { width: 'data(width)', height: 'data(height)' } },
    {
      selector: 'node.host',
      style: {
        'background-color': theme.hostFill,
        'border-color': theme.hostBorder,
        'border-width': 1.5,
        'text-valign': 'top',
        'font-size': 12,
        'font-weight': 600,
        'text-margin-y': -4,
        padding: `${padding.host}px`,
        'compound-sizing-wrt-labels': 'include',
        'corner-radius': '10px',
      },
    },
    { selector: 'node.host.not-ready', style: { 'border-color': theme.notReady, 'border-style': 'dashed' } },
    // Zoomed out (adapter.ts markFar): a host's name alone, large, in the room its address lines
    // take at full size; a group's one-line label larger.
    { selector: 'node.host.is-far', style: { label: hostName, 'font-size': (ele: cytoscape.NodeSingular) => farFontSize(hostName(ele), ele.width()) } },
    { selector: 'node.group.is-far', style: { 'font-size': 18 } },
    {
      selector: 'node.pod',
      style: {
        'background-color': 'data(color)',
        'background-opacity': 0.12,
        'border-color': 'data(color)',
        'border-width': 1.5,
        'text-valign': 'top',
        'text-margin-y': -3,
        padding: `${padding.pod}px`,
        'compound-sizing-wrt-labels': 'exclude',
      },
    },
    { selector: 'node.pod.host-network', style: { 'border-style': 'dashed', 'background-opacity': 0.04 } },
    { selector: 'node.pod.not-ready', style: { 'outline-width': 2, 'outline-color': theme.notReady, 'outline-offset': 1, 'outline-opacity': 0.8 } },
    { selector: 'node.pod.no-ip', style: { color: theme.muted } },
    // NetworkPolicy isolation (shared/policy/isolation.ts): a badge on the pod's box saying
    // which directions policies isolate.
    ...isolationRules(theme),
    {
      selector: 'node.container',
      style: {
        'background-color': theme.containerFill,
        'border-color': 'data(color)',
        'border-width': 1,
        'font-size': text.smallSize,
      },
    },
    { selector: 'node.container.role-init', style: { 'border-style': 'dashed', color: theme.muted } },
    { selector: 'node.container.role-sidecar', style: { 'border-style': 'dotted', 'border-width': 2 } },
    {
      selector: 'node.device, node.routes',
      style: {
        'background-color': theme.deviceFill,
        'border-color': theme.deviceBorder,
        'font-size': text.smallSize + 0.5,
        'corner-radius': '4px',
      },
    },
    { selector: 'node.device-bridge', style: { 'border-color': theme.veth, 'border-width': 1.5 } },
    { selector: 'node.device-tunnel', style: { 'border-color': theme.tunnel, 'border-width': 1.5 } },
    { selector: 'node.routes', style: { 'border-style': 'dashed', 'border-color': theme.veth } },
    { selector: 'node.name-inferred', style: { 'font-style': 'italic' } },
    {
      selector: 'node.group',
      style: {
        'background-opacity': 0,
        'border-style': 'dashed',
        'border-color': theme.hostBorder,
        'text-valign': 'top',
        'text-margin-y': -4,
        'font-weight': 600,
        padding: `${padding.group}px`,
        'compound-sizing-wrt-labels': 'include',
        'corner-radius': '8px',
      },
    },
    {
      selector: 'node.service-group, node.namespace',
      style: { 'border-style': 'solid', 'border-color': 'data(color)', 'background-color': 'data(color)', 'background-opacity': 0.05 },
    },
    {
      selector: 'node.service',
      style: {
        shape: 'cut-rectangle',
        'background-color': theme.hostFill,
        'border-color': 'data(color)',
        'border-width': 1.5,
        'font-size': text.smallSize + 0.5,
      },
    },
    { selector: 'node.service.headless', style: { 'border-style': 'dashed' } },
    {
      selector: 'node.ingress',
      style: { shape: 'round-rectangle', 'background-color': theme.hostFill, 'border-color': theme.ingress, 'border-width': 1.5, 'font-size': text.smallSize + 0.5 },
    },
    {
      selector: 'node.internet',
      style: { shape: 'ellipse', 'background-color': theme.internet, 'background-opacity': 0.12, 'border-color': theme.internet, 'border-width': 1.5, 'font-size': 13, 'font-weight': 600 },
    },

    {
      selector: 'node.fold',
      style: {
        'background-color': theme.containerFill,
        'background-opacity': 0.9,
        // Solid: a dash pattern is in model pixels, so a fold a whole row of nodes wide would be
        // stroked as hundreds of thousands of dashes on every frame.
        'border-style': 'solid',
        'border-width': 1.5,
        'border-color': theme.hostBorder,
        'font-size': 'data(fontSize)',
        // Lines break only where the label does: the font is sized to the box.
        'text-max-width': 'data(width)',
        'min-zoomed-font-size': 5,
        'text-valign': 'center',
        'corner-radius': '8px',
      },
    },
    { selector: 'node.fold-host, node.fold-block', style: { 'background-color': theme.hostFill, 'font-weight': 600 } },
    { selector: 'node.fold-services', style: { 'border-color': 'data(color)' } },
    // Health reads at any zoom: a fold holding problems is tinted and outlined.
    { selector: 'node.fold.has-problems', style: { 'border-color': theme.notReady, 'border-style': 'solid', 'background-color': theme.notReady, 'background-opacity': 0.14 } },
    // The health strip along a fold's foot (fold-health.ts), its label centred above it.
    {
      selector: 'node.fold[health]',
      style: {
        'background-image': (ele: cytoscape.NodeSingular) => stripImage(ele.data('health') as PodHealth, theme, foldStrip(ele).minShare),
        'background-fit': 'none',
        'background-width': (ele: cytoscape.NodeSingular) => foldStrip(ele).width,
        'background-height': (ele: cytoscape.NodeSingular) => foldStrip(ele).height,
        'background-position-x': '50%',
        'background-position-y': (ele: cytoscape.NodeSingular) => foldStrip(ele).top,
        'background-clip': 'none',
        'background-image-opacity': 1,
        'text-margin-y': (ele: cytoscape.NodeSingular) => -foldStrip(ele).band / 2,
      },
    },
    { selector: 'node.fold.not-ready', style: { 'border-color': theme.notReady, 'border-width': 3 } },
    {
      selector: 'edge',
      style: {
        width: 1.2,
        'line-color': theme.edge,
        'target-arrow-color': theme.edge,
        'curve-style': 'bezier',
        'font-family': fontFamily,
        'font-size': 9.5,
        'min-zoomed-font-size': 6,
        color: theme.muted,
        ...labelBackground,
        'arrow-scale': 0.7,
      },
    },
    { selector: 'edge[label != ""]', style: { label: 'data(label)' } },
    {
      // Bridge → pod, drawn as a bus: up the middle gutter, along the gap under the pod's row.
      selector: 'edge.veth',
      style: {
        label: '',
        'curve-style': 'taxi',
        'taxi-direction': 'vertical',
        'taxi-turn': `${-vethBusOffset}px`,
        'taxi-turn-min-distance': '4px',
        'line-color': theme.veth,
        'target-label': 'data(label)',
        'target-text-offset': vethLabelOffset,
        'font-size': 8.5,
        color: theme.text,
      },
    },
    { selector: 'edge.veth-inferred', style: { 'font-style': 'italic' } },
    { selector: 'edge.veth-unknown', style: { color: theme.muted } },
    {
      selector: 'edge.tunnel',
      style: {
        width: 2.5,
        'line-color': theme.tunnel,
        'line-style': 'dashed',
        'line-dash-pattern': [8, 4],
        color: theme.tunnel,
        'font-weight': 600,
        'curve-style': (edge: cytoscape.EdgeSingular) => (((edge.data('span') as number | undefined) ?? 0) > 1 ? 'unbundled-bezier' : 'straight'),
        // Positive: below the line from the left host to the right one, into the gap above the Services.
        'control-point-distances': (edge: cytoscape.EdgeSingular) => [tunnelBow(edge.data('span') as number | undefined)],
        'control-point-weights': [0.5],
      },
    },
    {
      selector: 'edge.endpoint',
      style: { 'line-color': theme.ready, 'target-arrow-color': theme.ready, 'target-arrow-shape': 'triangle', opacity: 0.55 },
    },
    { selector: 'edge.endpoint.not-ready', style: { 'line-color': theme.notReady, 'target-arrow-color': theme.notReady, 'line-style': 'dashed' } },
    { selector: 'edge.endpoint.mixed', style: { 'line-style': 'dashed' } },
    { selector: 'edge.folded', style: { width: 2.2 } },
    { selector: 'edge.endpoint.terminating', style: { 'line-color': theme.terminating, 'target-arrow-color': theme.terminating, 'line-style': 'dotted', width: 1.8 } },
    // Edges from the Services' rows into the node boxes, on demand: the selected or hovered
    // element's, and a trace's (element-builders.ts).
    ...(options.showAllEndpoints ? [] : [{ selector: 'edge.on-demand', style: { display: 'none' as const } }]),
    { selector: 'edge.on-demand.is-own, edge.on-demand.is-hover-related, edge.on-demand.is-traced', style: { display: 'element' as const } },
    { selector: 'edge.is-hover-related', style: { opacity: 1, width: 2.2, 'z-index': 10 } },
    {
      selector: 'edge.backend',
      style: {
        label: '',
        'target-label': 'data(label)',
        'target-text-offset': 64,
        'line-color': theme.ingress,
        'target-arrow-color': theme.ingress,
        'target-arrow-shape': 'triangle',
        width: 1.3,
        opacity: 0.8,
        color: theme.ingress,
      },
    },
    {
      selector: 'edge.exposure',
      // The address sits near the exposed end, clear of the hosts the edge may cross.
      style: {
        label: '',
        'target-label': 'data(label)',
        'target-text-offset': 64,
        'line-color': theme.internet,
        'target-arrow-color': theme.internet,
        'target-arrow-shape': 'triangle',
        width: 1.6,
        opacity: 0.85,
        color: theme.internet,
      },
    },
    { selector: 'edge.exposure.pending', style: { 'line-style': 'dashed' } },

    // The subject of a problem the doctor found (adapter.ts markProblems), or the fold that holds
    // it: a dashed ring well outside the border, red for an error, orange for a warning; apart
    // from a pod not ready's solid outline close in, and from the selection's amber.
    { selector: 'node.has-problem-error, node.has-problem-warning', style: { 'outline-width': 3, 'outline-style': 'dashed', 'outline-offset': 4, 'outline-opacity': 1, 'outline-color': theme.notReady } },
    { selector: 'node.has-problem-warning', style: { 'outline-color': theme.terminating } },

    // Highlighting: classes toggled by the adapter.
    { selector: 'edge.is-faded', style: { opacity: 0.12 } },
    // A trace: its path stands out, everything else steps back.
    { selector: '.is-trace-dimmed', style: { opacity: 0.18 } },
    { selector: 'node.is-traced', style: { 'border-color': theme.selection, 'border-width': 3, opacity: 1 } },
    // The path itself is drawn by the trace's arrows; the edges it uses keep their own colour.
    { selector: 'edge.is-traced', style: { width: 2, opacity: 0.6, 'z-index': 30 } },
    // Where the packet is denied or dropped (trace-path.ts).
    { selector: 'node.is-trace-denied', style: { 'border-color': theme.notReady, 'border-width': 3.5, 'underlay-color': theme.notReady, 'underlay-opacity': 0.2, 'underlay-padding': 6 } },
    // A trace's steps over the graph (highlight.ts drawTraceSteps): the pointer goes through them
    // to the element beneath; they stay legible at any zoom the path is fitted to.
    { selector: '.trace-overlay', style: { events: 'no', 'z-compound-depth': 'top', 'z-index': 100, opacity: 1 } },
    {
      selector: 'node.trace-badge',
      style: {
        shape: 'round-rectangle',
        'corner-radius': '10px',
        'background-color': theme.background,
        'background-opacity': 1,
        'border-width': 'data(border)',
        'border-color': theme.selection,
        color: theme.text,
        'font-size': 'data(fontSize)',
        'font-weight': 700,
        'text-valign': 'center',
        'text-halign': 'center',
        'text-margin-y': 0,
        'min-zoomed-font-size': 0,
      },
    },
    { selector: 'node.trace-badge.trace-dns', style: { 'border-color': theme.ingress, 'border-style': 'dashed' } },
    { selector: 'node.trace-badge.trace-denied', style: { 'border-color': theme.notReady, color: theme.notReady } },
    {
      selector: 'edge.trace-step',
      style: {
        width: 'data(width)',
        'line-color': theme.selection,
        'target-arrow-color': theme.selection,
        'target-arrow-shape': 'triangle',
        'arrow-scale': 1.1,
        'curve-style': 'bezier',
        'control-point-step-size': 40,
        label: '',
      },
    },
    { selector: 'edge.trace-step-dns', style: { 'line-color': theme.ingress, 'target-arrow-color': theme.ingress, 'line-style': 'dashed', 'line-dash-pattern': [7, 4] } },
    // The hop hovered or chosen in the trace panel's list.
    // Dark on the highlight's amber, in the light theme and the dark alike.
    { selector: 'node.trace-badge.is-trace-active', style: { 'background-color': theme.selection, color: '#1c2330', 'border-color': theme.text } },
    { selector: 'node.is-trace-active', style: { 'underlay-color': theme.selection, 'underlay-opacity': 0.45, 'underlay-padding': 8 } },
    { selector: 'edge.is-related', style: { opacity: 1, width: 2.4, 'z-index': 10 } },
    { selector: 'node.is-related', style: { 'border-width': 2.5 } },
    {
      selector: 'node.is-selected',
      style: { 'border-width': 3, 'border-color': theme.selection, 'underlay-color': theme.selection, 'underlay-opacity': 0.18, 'underlay-padding': 5 },
    },
    {
      // What a search chose: a wide halo, so that it stands out wherever the view lands.
      selector: 'node.is-found',
      style: { 'underlay-color': theme.selection, 'underlay-opacity': 0.4, 'underlay-padding': 12, 'underlay-shape': 'round-rectangle' },
    },
    { selector: 'edge.is-selected', style: { 'line-color': theme.selection, 'target-arrow-color': theme.selection, width: 3.5, opacity: 1, 'z-index': 20 } },
    // "Highlight all" of a search: every match ringed, the rest stepped back.
    { selector: '.is-match-dimmed', style: { opacity: 0.2 } },
    {
      selector: 'node.is-match',
      style: { 'border-color': theme.selection, 'border-width': 3, 'underlay-color': theme.selection, 'underlay-opacity': 0.3, 'underlay-padding': 7, 'underlay-shape': 'round-rectangle' },
    },
  ];
}
