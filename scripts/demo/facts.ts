/**
 * The demo cluster's fixed facts — its Kubernetes version, its clock and its well-known
 * addresses — shared by every part of scripts/make-demo.ts. Fixed, so the output never drifts.
 */

export const kubernetesVersion = 'v1.33.2';
export const clusterCreatedMs = Date.UTC(2025, 5, 30, 8, 0, 0);
/** When the demo "was captured": a day and an hour after the cluster was created. */
export const capturedAt = '2025-07-01T09:00:00Z';
export const capturedMinute = 25 * 60;

export const podNetwork = '10.244.0.0/16';
export const kubernetesServiceIP = '10.96.0.1';
export const kubeDnsIP = '10.96.0.10';
export const loadBalancerIP = '203.0.113.10';
