/**
 * The test side of the real control plane: start and stop it (test/cluster/up, down,
 * restart-apiserver) and talk to it as one of its users. The one module tests import from; the
 * parts live next to it:
 *
 *   lifecycle.ts   build, start, stop, connect, restart kube-apiserver
 *   kubeconfig.ts  the server, CA and credentials of one of the kubeconfig's users
 *   kube-api.ts    a small API client per user, with helpers that create Nodes, Pods, Services, …
 *   wait.ts        waitFor: poll until the cluster gets there
 *
 * Most tests get the kubeconfig the vitest globalSetup (./global-setup.ts) provided:
 *
 *   const kubeconfig = inject('kubeconfig');
 *   test.skipIf(!kubeconfig)('…', async () => {
 *     const cp = connectControlPlane(kubeconfig);
 *     const api = adminApi(cp);
 *     …
 *   });
 *
 * The cluster is fake below the API: Nodes and Pods are objects the test creates, Pod status is
 * patched in, no kubelet or scheduler runs. kube-controller-manager makes EndpointSlices. Nothing
 * may dial a pod or Service IP; they are not routable here.
 */
export * from './lifecycle.ts';
export * from './kubeconfig.ts';
export * from './kube-api.ts';
export * from './wait.ts';
