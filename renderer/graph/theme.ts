/**
 * Colours of the canvas, read from the CSS custom properties of styles/theme.css so the light and dark
 * themes (prefers-color-scheme) are defined in one place for the DOM and the canvas alike.
 */
export interface GraphTheme {
  background: string;
  text: string;
  muted: string;
  hostFill: string;
  hostBorder: string;
  deviceFill: string;
  deviceBorder: string;
  containerFill: string;
  edge: string;
  veth: string;
  ready: string;
  notReady: string;
  terminating: string;
  tunnel: string;
  ingress: string;
  internet: string;
  selection: string;
}

const variables: Record<keyof GraphTheme, string> = {
  background: '--graph-bg',
  text: '--graph-text',
  muted: '--graph-muted',
  hostFill: '--graph-host-fill',
  hostBorder: '--graph-host-border',
  deviceFill: '--graph-device-fill',
  deviceBorder: '--graph-device-border',
  containerFill: '--graph-container-fill',
  edge: '--graph-edge',
  veth: '--graph-veth',
  ready: '--graph-ready',
  notReady: '--graph-not-ready',
  terminating: '--graph-terminating',
  tunnel: '--graph-tunnel',
  ingress: '--graph-ingress',
  internet: '--graph-internet',
  selection: '--graph-selection',
};

/** Used when a variable is missing (a stylesheet failed to load): the light theme. */
export const fallbackTheme: GraphTheme = {
  background: '#f5f6f8',
  text: '#1c2330',
  muted: '#5d6777',
  hostFill: '#ffffff',
  hostBorder: '#97a3b4',
  deviceFill: '#eef1f5',
  deviceBorder: '#7c8797',
  containerFill: '#ffffff',
  edge: '#7b8597',
  veth: '#6d7a8c',
  ready: '#2f8f5b',
  notReady: '#d1342b',
  terminating: '#e07912',
  tunnel: '#8a55d6',
  ingress: '#2f6fde',
  internet: '#2f6fde',
  selection: '#f2a900',
};

export function readGraphTheme(root: Element = document.documentElement): GraphTheme {
  const style = getComputedStyle(root);
  const theme = { ...fallbackTheme };
  for (const key of Object.keys(variables) as (keyof GraphTheme)[]) {
    const value = style.getPropertyValue(variables[key]).trim();
    if (value) theme[key] = value;
  }
  return theme;
}

/** Calls `listener` whenever the system switches between light and dark. */
export function onDidChangeColorScheme(listener: () => void): () => void {
  const query = window.matchMedia('(prefers-color-scheme: dark)');
  query.addEventListener('change', listener);
  return () => query.removeEventListener('change', listener);
}
