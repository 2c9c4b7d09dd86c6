// metav1.LabelSelector matching, as the API server does it: every matchLabels pair and every
// matchExpressions requirement must hold. An empty selector matches everything; callers decide
// what an absent one means (for an issuer's policy: nothing).
import type { V1LabelSelector, V1LabelSelectorRequirement } from "@kubernetes/client-node";

/** Whether `labels` satisfy `selector` (an empty selector matches all). */
export function selectorMatches(
  selector: V1LabelSelector,
  labels: Readonly<Record<string, string>>,
): boolean {
  const pairs = Object.entries(selector.matchLabels ?? {});
  return (
    pairs.every(([key, value]) => labelOf(labels, key) === value) &&
    (selector.matchExpressions ?? []).every((r) => requirementHolds(r, labels))
  );
}

function requirementHolds(
  requirement: V1LabelSelectorRequirement,
  labels: Readonly<Record<string, string>>,
): boolean {
  const value = labelOf(labels, requirement.key);
  const values = requirement.values ?? [];
  switch (requirement.operator) {
    case "In":
      return value !== undefined && values.includes(value);
    case "NotIn":
      return value === undefined || !values.includes(value);
    case "Exists":
      return value !== undefined;
    case "DoesNotExist":
      return value === undefined;
    default:
      // An operator the API server would have refused: match nothing rather than everything.
      return false;
  }
}

/** A label's value: own keys only (`constructor` is a valid label key, not Object's method). */
function labelOf(labels: Readonly<Record<string, string>>, key: string): string | undefined {
  return Object.hasOwn(labels, key) ? labels[key] : undefined;
}
