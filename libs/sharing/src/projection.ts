import { createHmac } from 'node:crypto';
import { RELEASABLE_FIELDS } from './policy.js';

export type Redaction = 'blank' | 'pseudonymise';

/** One live grant of an object to the caller, as the access table holds it. */
export interface Grant {
  releaseId: string | null;
  fields: readonly string[];
  redact: Readonly<Record<string, Redaction>>;
  pseudonymKey: Buffer | null;
}

/**
 * What a recipient receives of one object: the allow-listed fields the policy lets it read, the internal-only
 * fields a grant names, and each field redacted unless some grant that covers it sends it as it is.
 * Built from an allow-list: a field of the owner's view that is named nowhere never appears.
 */
export function projectShared(view: Readonly<Record<string, unknown>>, readable: readonly string[], grants: readonly Grant[]) {
  const out: Record<string, unknown> = {};
  const redactions: Record<string, Redaction> = {};
  const released = RELEASABLE_FIELDS.filter((field) => grants.some((g) => g.fields.includes(field)));
  for (const field of [...readable, ...released]) {
    if (!(field in view)) continue;
    const covering = (RELEASABLE_FIELDS as readonly string[]).includes(field) ? grants.filter((g) => g.fields.includes(field)) : grants;
    if (covering.length === 0) continue;
    if (covering.some((g) => !g.redact[field])) {
      out[field] = view[field];
      continue;
    }
    const pseudonymiser = covering.find((g) => g.redact[field] === 'pseudonymise' && g.pseudonymKey);
    out[field] = pseudonymiser ? pseudonymise(view[field], pseudonymiser.pseudonymKey!) : blank(view[field]);
    redactions[field] = pseudonymiser ? 'pseudonymise' : 'blank';
  }
  if (Object.keys(redactions).length > 0) out.redactions = redactions;
  return out;
}

function blank(value: unknown): unknown {
  return typeof value === 'string' ? '' : null;
}

/** The same value under the same release gives the same pseudonym; another release, another one. */
function pseudonymise(value: unknown, key: Buffer): unknown {
  if (typeof value === 'string') return value === '' ? '' : `pseudonym-${createHmac('sha256', key).update(value).digest('hex').slice(0, 16)}`;
  if (Array.isArray(value)) return value.map((item) => pseudonymise(item, key));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, pseudonymise(v, key)]));
  }
  return value === undefined ? undefined : null;
}
