import type { OrgKind } from '#database';
import type { RecipientKind } from './release-rules.js';

/**
 * The keys an access row can name, and which of them a caller holds: its organisation, itself (users only),
 * the community (member and coordinator organisations) and the public. The database derives the same keys
 * from the transaction's tenant context (`hub_current_grantees()`); a test holds the two together.
 */
export type GranteeKey = `org:${string}` | `user:${string}` | 'community' | 'public';

export interface Reader {
  orgId: string;
  orgKind: OrgKind;
  /** Null for an API key: it acts for its organisation, never as a named user. */
  userId: string | null;
}

export function granteeKeys(reader: Reader): GranteeKey[] {
  const keys: GranteeKey[] = [`org:${reader.orgId}`];
  if (reader.userId) keys.push(`user:${reader.userId}`);
  // Partners receive GREEN only through a feed subscription that accepts it (the feeds issue), not as community.
  if (reader.orgKind === 'member' || reader.orgKind === 'coordinator') keys.push('community');
  keys.push('public');
  return keys;
}

export interface Recipient {
  kind: RecipientKind;
  /** The organisation or user; absent for the community and the public. */
  id?: string;
}

export function granteeOf(recipient: Recipient): GranteeKey {
  switch (recipient.kind) {
    case 'organisation':
      return `org:${recipient.id}`;
    case 'user':
      return `user:${recipient.id}`;
    default:
      return recipient.kind;
  }
}
