/**
 * Colours of the canvas, read from the CSS custom properties of styles/theme.css so the light and dark
 * themes are defined in one place for the DOM and the canvas alike; and the user's choice of
 * theme (the OS's, light or dark).
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
  /** NetworkPolicy: the isolation badge on pods. */
  policy: string;
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
  policy: '--graph-policy',
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
  policy: '#b5532a',
};

/**
 * The canvas colours of the scheme in force. The variables are light-dark() pairs
 * (styles/theme.css), which only a colour property resolves: each is read back through a probe
 * element's `color` as the rgb() the canvas can draw.
 */
export function readGraphTheme(root: HTMLElement = document.documentElement): GraphTheme {
  const theme = { ...fallbackTheme };
  const probe = document.createElement('span');
  probe.hidden = true;
  root.append(probe);
  try {
    const declared = getComputedStyle(root);
    for (const key of Object.keys(variables) as (keyof GraphTheme)[]) {
      if (!declared.getPropertyValue(variables[key]).trim()) continue;
      probe.style.color = `var(${variables[key]})`;
      const value = getComputedStyle(probe).color;
      if (value) theme[key] = value;
    }
  } finally {
    probe.remove();
  }
  return theme;
}

/** The theme the user picked, or `os` to follow the system's. */
export type ThemeChoice = 'os' | 'light' | 'dark';

const themeKey = 'podpath.theme';

export function readThemeChoice(): ThemeChoice {
  try {
    const stored = localStorage.getItem(themeKey);
    return stored === 'light' || stored === 'dark' ? stored : 'os';
  } catch {
    return 'os';
  }
}

/** Applies the choice to the page (html[data-theme], read by styles/theme.css) and remembers it. */
export function applyThemeChoice(choice: ThemeChoice): void {
  if (choice === 'os') delete document.documentElement.dataset.theme;
  else document.documentElement.dataset.theme = choice;
  try {
    if (choice === 'os') localStorage.removeItem(themeKey);
    else localStorage.setItem(themeKey, choice);
  } catch {
    // Storage refused (private mode): the choice lasts for this window only.
  }
}

/** Calls `listener` whenever the colours change: the system switches between light and dark,
 * or the user picks a theme. */
export function onDidChangeColorScheme(listener: () => void): () => void {
  const query = window.matchMedia('(prefers-color-scheme: dark)');
  query.addEventListener('change', listener);
  const picked = new MutationObserver(listener);
  picked.observe(document.documentElement, { attributes: true, attributeFilter: ['data-theme'] });
  return () => {
    query.removeEventListener('change', listener);
    picked.disconnect();
  };
}
