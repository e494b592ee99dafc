import { describe, expect, test } from 'vitest';
import { chooseRenderer, isSoftwareRenderer } from './webgl.ts';

describe('chooseRenderer', () => {
  test('WebGL on a hardware GPU, canvas under software GL or without WebGL 2', () => {
    expect(chooseRenderer('', 'ANGLE (Apple, ANGLE Metal Renderer: Apple M2, Unspecified Version)')).toBe('webgl');
    expect(chooseRenderer('', 'ANGLE (NVIDIA, NVIDIA GeForce RTX 3060 Direct3D11 vs_5_0 ps_5_0, D3D11)')).toBe('webgl');
    expect(chooseRenderer('', 'ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device (Subzero) (0x0000C0DE)), SwiftShader driver)')).toBe('canvas');
    expect(chooseRenderer('', 'llvmpipe (LLVM 15.0.6, 256 bits)')).toBe('canvas');
    expect(chooseRenderer('', null)).toBe('canvas');
  });

  test('the address can ask for either', () => {
    expect(chooseRenderer('?token=x&renderer=webgl', null)).toBe('webgl');
    expect(chooseRenderer('?renderer=canvas', 'Apple M2')).toBe('canvas');
    expect(chooseRenderer('?renderer=vulkan', 'Apple M2')).toBe('webgl');
    expect(isSoftwareRenderer('Microsoft Basic Render Driver')).toBe(true);
  });
});
