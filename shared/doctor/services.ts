/** The doctor's checks of Services, their endpoints and traffic policies, Ingresses, cluster DNS and addresses (issue 17). */
import type { Check } from './types.ts';

export const serviceChecks: Check[] = [];
