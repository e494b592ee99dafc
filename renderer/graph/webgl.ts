/**
 * Canvas or WebGL (design §9: "cytoscape's WebGL renderer where it helps; measure before
 * choosing, and keep canvas as the fallback"). Under software GL (SwiftShader, llvmpipe — a VM,
 * a CI machine, a GPU-less laptop) cytoscape's WebGL renderer is slower than its canvas one
 * (`npm run bench` measures both), so WebGL is used only on a hardware GPU. `?renderer=canvas`
 * or `?renderer=webgl` in the page's address overrides the choice (benchmarks, bug reports).
 */

export type RendererChoice = 'canvas' | 'webgl';

/** GL renderer names of software rasterisers. */
export function isSoftwareRenderer(name: string): boolean {
  return /swiftshader|llvmpipe|softpipe|software|basic render|mesa offscreen/i.test(name);
}

export function chooseRenderer(search: string, glRendererName: string | null): RendererChoice {
  const asked = new URLSearchParams(search).get('renderer');
  if (asked === 'canvas' || asked === 'webgl') return asked;
  return glRendererName !== null && !isSoftwareRenderer(glRendererName) ? 'webgl' : 'canvas';
}

/** The GPU's renderer name as WebGL reports it, or null without WebGL 2. */
export function glRendererName(): string | null {
  try {
    const gl = document.createElement('canvas').getContext('webgl2');
    if (!gl) return null;
    const info = gl.getExtension('WEBGL_debug_renderer_info');
    const name = info ? gl.getParameter(info.UNMASKED_RENDERER_WEBGL) : gl.getParameter(gl.RENDERER);
    gl.getExtension('WEBGL_lose_context')?.loseContext();
    return typeof name === 'string' ? name : null;
  } catch {
    return null;
  }
}
