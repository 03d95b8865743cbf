export type OrgKind = 'member' | 'coordinator' | 'partner';

/** What the database policies see of the caller: set per transaction, never per connection. */
export interface TenantContext {
  orgId: string | null;
  orgKind: OrgKind | null;
  userId: string | null;
  /** The platform operator manages organisations; it has no organisation and reads no tenant rows. */
  operator: boolean;
  /**
   * Whether this transaction reads what other organisations released to the caller (the shared views).
   * Off everywhere else, so the database hides every row but the caller's own.
   */
  readsShared: boolean;
}

/** Before authentication: the database answers nothing that belongs to a tenant. */
export const NO_TENANT: TenantContext = Object.freeze({ orgId: null, orgKind: null, userId: null, operator: false, readsShared: false });

/** The platform operator: no organisation, so no tenant rows; the operator-only policies apply. */
export const OPERATOR_CONTEXT: TenantContext = Object.freeze({ orgId: null, orgKind: null, userId: null, operator: true, readsShared: false });

/** Acting inside one organisation; its kind is filled in where the caller knows it. */
export function organisationContext(orgId: string, userId: string | null = null, orgKind: OrgKind | null = null): TenantContext {
  return { orgId, orgKind, userId, operator: false, readsShared: false };
}
