import type { TenantTransaction } from '#database';
import type { TlpMarking } from '#sharing';
import { AgreementException } from './agreement.exception.js';

export interface AgreementInForce {
  agreementId: string;
  version: number;
  defaultMarking: TlpMarking;
}

/**
 * The agreement version `orgId` has accepted with this coordinator that is in force now; otherwise throws
 * a 422 HubException code AGREEMENT_REQUIRED whose message names the rule ("taking part in a joint incident
 * requires an accepted coordination agreement valid today") and, in details, the field you are given.
 *
 * Works inside a transaction of either the coordinator or the party: `hub_agreement_in_force` reads across the
 * tenant boundary as its definer, and answers only when the caller is one of the two organisations.
 */
export async function requireAgreementInForce(tx: TenantTransaction, orgId: string, coordinatorOrgId: string, field: string): Promise<AgreementInForce> {
  const [row] = await tx.query<{ agreement_id: string; version: number; default_marking: TlpMarking }>(
    'SELECT agreement_id, version, default_marking FROM hub_agreement_in_force($1::uuid, $2::uuid)',
    [orgId, coordinatorOrgId],
  );
  if (!row) throw AgreementException.required(field, orgId);
  return { agreementId: row.agreement_id, version: row.version, defaultMarking: row.default_marking };
}
