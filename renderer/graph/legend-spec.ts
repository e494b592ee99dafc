/**
 * The legend as data, for images: what panels/Legend.tsx shows, with the canvas colours, so an
 * exported PNG or SVG explains itself without the app around it.
 */
import type { Topology } from '../../shared/model/types.ts';
import { namespaceColors } from './palette.ts';
import type { GraphTheme } from './theme.ts';

export type LegendSample =
  | { kind: 'box'; stroke: string; fill: string; dash?: 'dashed' | 'dotted'; shape?: 'round' | 'cut' }
  | { kind: 'line'; stroke: string; width: number; dash?: 'dashed' | 'dotted' }
  | { kind: 'text'; italic: true };

export interface LegendSection {
  title: string;
  items: { sample: LegendSample; label: string }[];
}

export const legendTitle = 'Legend';

export function legendSections(topology: Topology | null, theme: GraphTheme): LegendSection[] {
  const box = (stroke: string, fill: string, dash?: 'dashed' | 'dotted', shape?: 'round' | 'cut'): LegendSample => ({ kind: 'box', stroke, fill, dash, shape });
  const line = (stroke: string, width = 1.5, dash?: 'dashed' | 'dotted'): LegendSample => ({ kind: 'line', stroke, width, dash });
  const sections: LegendSection[] = [
    {
      title: 'Boxes',
      items: [
        { sample: box(theme.hostBorder, theme.hostFill), label: 'node (root netns)' },
        { sample: box('#3f7fd0', '#3f7fd01f'), label: 'pod netns' },
        { sample: box('#3f7fd0', '#3f7fd00a', 'dashed'), label: 'hostNetwork pod' },
        { sample: box('#3f7fd0', theme.containerFill), label: 'container' },
        { sample: box('#3f7fd0', theme.containerFill, 'dashed'), label: 'init container' },
        { sample: box(theme.deviceBorder, theme.deviceFill), label: 'device (uplink, bridge, tunnel)' },
        { sample: box('#3f7fd0', theme.hostFill, undefined, 'cut'), label: 'Service' },
        { sample: { kind: 'text', italic: true }, label: 'inferred, not observed' },
      ],
    },
    {
      title: 'Edges',
      items: [
        { sample: line(theme.veth), label: 'veth pair, labelled with its host end (veth?: unknown)' },
        { sample: line(theme.tunnel, 2.5, 'dashed'), label: 'overlay tunnel' },
        { sample: line(theme.ready), label: 'endpoint, ready' },
        { sample: line(theme.notReady, 1.5, 'dashed'), label: 'endpoint, not ready' },
        { sample: line(theme.terminating, 1.8, 'dotted'), label: 'endpoint, terminating' },
        { sample: line(theme.ingress), label: 'Ingress → Service' },
        { sample: line(theme.internet, 1.8), label: 'Internet → LoadBalancer / Ingress' },
      ],
    },
  ];
  const colors = topology ? [...namespaceColors(topology)] : [];
  if (colors.length > 0) {
    sections.push({ title: 'Namespaces', items: colors.map(([name, color]) => ({ sample: box(color, `${color}26`), label: name })) });
  }
  return sections;
}
