/** The doctor's checks of NetworkPolicies (issue 17). */
import { policyIsolatesServiceBackend } from './policy-backends.ts';
import { policyBlocksDns } from './policy-dns.ts';
import { policyPeerMatchesNothing, policySelectsNothing } from './policy-selectors.ts';
import type { Check } from './types.ts';

export const policyChecks: Check[] = [policySelectsNothing, policyPeerMatchesNothing, policyBlocksDns, policyIsolatesServiceBackend];
