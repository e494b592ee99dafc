import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['{shared,electron,renderer,test,scripts}/**/*.test.ts'],
    environment: 'node',
    // The renderer build and the real control plane (etcd, kube-apiserver,
    // kube-controller-manager), once per run.
    globalSetup: ['test/e2e/global-setup.ts', 'test/cluster/global-setup.ts'],
    // Browser and control-plane tests start real processes; give them room on a 2-core machine.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    teardownTimeout: 30_000,
    // Tests that start Chromium or servers are heavy; two at a time is what the machine has.
    maxWorkers: 2,
  },
});
