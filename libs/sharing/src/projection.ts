import type { ShareableType } from './shareable-types.js';

export type Redaction = 'blank' | 'pseudonymise';

/** One live grant of an object to the caller, as the access table shows it (never its pseudonym key). */
export interface Grant {
  releaseId: string | null;
  fields: readonly string[];
  redact: Readonly<Record<string, Redaction>>;
}

/**
 * What a recipient receives of one object: the allow-listed fields the policy lets it read and the
 * internal-only fields a grant names, each as the database released it. The values come from
 * `shared_incidents` / `shared_observables`, which already blanked or pseudonymised what every covering grant
 * redacts (under the release's key, which never leaves the database) and say so in `redactions`.
 * Built from an allow-list: a field of the view that is named nowhere never appears.
 */
export function projectShared(
  type: Pick<ShareableType, 'releasableFields'>,
  view: Readonly<Record<string, unknown>>,
  readable: readonly string[],
  grants: readonly Grant[],
  redactions: Readonly<Record<string, Redaction>> = {},
) {
  const out: Record<string, unknown> = {};
  const applied: Record<string, Redaction> = {};
  const released = type.releasableFields.filter((field) => grants.some((g) => g.fields.includes(field)));
  for (const field of [...readable, ...released]) {
    if (!(field in view)) continue;
    const covering = type.releasableFields.includes(field) ? grants.filter((g) => g.fields.includes(field)) : grants;
    if (covering.length === 0) continue;
    out[field] = view[field];
    if (redactions[field]) applied[field] = redactions[field];
  }
  if (Object.keys(applied).length > 0) out.redactions = applied;
  return out;
}
