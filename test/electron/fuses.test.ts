// The fuses flipped in the packaged binary (forge.config.ts): every one that widens what the
// binary or its pages may do is off, every hardening one on.
import { FuseV1Options } from '@electron/fuses';
import { FusesPlugin } from '@electron-forge/plugin-fuses';
import { expect, test } from 'vitest';
import config from '../../forge.config.ts';

test('the packaged app is fused shut', () => {
  const plugin = config.plugins?.find((p): p is FusesPlugin => p instanceof FusesPlugin);
  expect(plugin, 'forge.config.ts has the fuses plugin').toBeDefined();
  expect(plugin!.fusesConfig).toMatchObject({
    [FuseV1Options.RunAsNode]: false,
    [FuseV1Options.EnableNodeOptionsEnvironmentVariable]: false,
    [FuseV1Options.EnableNodeCliInspectArguments]: false,
    [FuseV1Options.GrantFileProtocolExtraPrivileges]: false,
    [FuseV1Options.EnableCookieEncryption]: true,
    [FuseV1Options.EnableEmbeddedAsarIntegrityValidation]: true,
    [FuseV1Options.OnlyLoadAppFromAsar]: true,
  });
});
