/** A kubeconfig entry or state file as parsed from YAML or JSON, before its fields are checked. */
export type Raw = Record<string, unknown>;

export function isRecord(value: unknown): value is Raw {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
