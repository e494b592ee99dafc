/**
 * The network doctor (issue 17): every check over the topology, one list, errors first. Pure, so
 * the CLI (`podpath doctor`), the app's Problems panel and the tests all get the same answer.
 */
import type { Topology } from '../model/types.ts';
import { datapathChecks } from './datapath.ts';
import { policyChecks } from './policies.ts';
import { serviceChecks } from './services.ts';
import { byImportance, type Problem } from './types.ts';

const checks = [...serviceChecks, ...policyChecks, ...datapathChecks];

export function diagnose(topology: Topology): Problem[] {
  return checks.flatMap((check) => check(topology)).sort(byImportance);
}
