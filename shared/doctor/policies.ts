/** The doctor's checks of NetworkPolicies (issue 17). */
import type { Check } from './types.ts';

export const policyChecks: Check[] = [];
