/**
 * Kubernetes LabelSelector semantics (apimachinery `LabelSelectorAsSelector`): matchLabels and
 * matchExpressions are ANDed; an empty selector selects everything; `NotIn` and `DoesNotExist`
 * also match objects without the key.
 */
import type { LabelSelector } from './objects.ts';

export function matchesSelector(labels: Record<string, string>, selector: LabelSelector | undefined): boolean {
  if (!selector) return true;
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) if (labels[key] !== value) return false;
  for (const expression of selector.matchExpressions ?? []) {
    const has = Object.hasOwn(labels, expression.key);
    const value = labels[expression.key];
    const values = expression.values ?? [];
    switch (expression.operator) {
      case 'In':
        if (!has || !values.includes(value ?? '')) return false;
        break;
      case 'NotIn':
        if (has && values.includes(value ?? '')) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
      default:
        // An operator this version does not know selects nothing, as the API server would refuse it.
        return false;
    }
  }
  return true;
}
