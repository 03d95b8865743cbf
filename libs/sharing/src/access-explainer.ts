import { Injectable } from '@nestjs/common';
import { HubException } from '#common';
import { type OrgPrincipal, sharedReadContextOf } from '#auth';
import { TenantDatabase, type TenantTransaction } from '#database';
import type { TlpMarking } from './markings.js';
import type { HubAbility, PolicySubject } from './policy.js';
import { compilePolicy, SqlParams } from './policy-sql.js';
import { abilityOf } from './principal-policy.js';
import { RELEASE_RULES } from './release-rules.js';
import { nounOf } from './releases.service.js';
import { type ShareableType, shareableType } from './shareable-types.js';

interface GrantRow {
  object_type: string;
  grantee: string;
  release_id: string | null;
  via: string | null;
  recipient_kind: string | null;
  recipient_org_id: string | null;
  recipient_user_id: string | null;
  fields: string[];
  redact: Record<string, string>;
  released_at: Date | null;
  released_by: string | null;
}

interface OrganisationRow {
  id: string;
  name: string;
  kind: 'member' | 'coordinator' | 'partner';
  status: 'active' | 'disabled';
}

/**
 * "Who can read this, and why", for an object of any registered type, to its owner and to the coordination team
 * it was released to by name: every live grant with the rule that lets it stand, and for one organisation the
 * grant that lets it read, or the rule that keeps it out.
 */
@Injectable()
export class AccessExplainer {
  constructor(private readonly db: TenantDatabase) {}

  async explain(principal: OrgPrincipal, objectType: string, objectId: string, organisationId: string | undefined) {
    const type = shareableType(objectType);
    const ability = abilityOf(principal);
    return this.db.run(sharedReadContextOf(principal), async (tx) => {
      const statement = explainedObjectSql(ability, type, objectId);
      const [object] = await tx.query<{ id: string; org_id: string; marking: TlpMarking }>(statement.sql, statement.values);
      if (!object) throw HubException.notFound(nounOf(type));
      const grants = await tx.query<GrantRow>('SELECT * FROM hub_object_grants($1)', [objectId]);
      const readers = await Promise.all(grants.map((grant) => describeGrant(tx, grant, object.marking)));
      const answer: Record<string, unknown> = {
        objectType: type.type,
        objectId,
        marking: object.marking,
        owner: { organisationId: object.org_id, rule: `the owner organisation reads all of its own ${nounOf(type)}s` },
        readers,
      };
      if (organisationId) answer.organisation = await decideFor(tx, organisationId, object, readers);
      return answer;
    });
  }
}

/**
 * The statement that decides whether the caller may ask about an object: the owner meets it in the table, a
 * recipient (the coordination team, released it by name) only through the type's shared view (the field guard).
 */
export function explainedObjectSql(ability: HubAbility, type: ShareableType, objectId: string) {
  const params = new SqlParams();
  const id = params.add(objectId, 'uuid');
  const own = compilePolicy(ability, 'explain', type.ownSubject as PolicySubject, params);
  const shared = compilePolicy(ability, 'explain', type.sharedSubject as PolicySubject, params);
  const columns = `${type.alias}.id, ${type.alias}.${type.ownerColumn} AS org_id, ${type.alias}.${type.markingColumn} AS marking`;
  const sql = `SELECT ${columns} FROM ${type.table} ${type.alias} WHERE ${type.alias}.id = ${id} AND ${own}
     UNION ALL
     SELECT ${columns} FROM ${type.sharedView} ${type.alias} WHERE ${type.alias}.id = ${id} AND ${shared}`;
  return { sql, values: params.values };
}

type Reader = Awaited<ReturnType<typeof describeGrant>>;

async function describeGrant(tx: TenantTransaction, grant: GrantRow, marking: TlpMarking) {
  const recipient = grant.recipient_org_id
    ? { kind: 'organisation', id: grant.recipient_org_id }
    : grant.recipient_user_id
      ? { kind: 'user', id: grant.recipient_user_id, organisationId: await userOrganisation(tx, grant.recipient_user_id) }
      : { kind: grant.recipient_kind ?? 'via' };
  return {
    grantee: grant.grantee,
    recipient,
    releaseId: grant.release_id,
    via: grant.via,
    rule: grant.via ? `passed on into ${grant.via}` : `${RELEASE_RULES[marking].reads}; release ${grant.release_id}`,
    fields: grant.fields,
    redact: grant.redact,
    releasedAt: grant.released_at?.toISOString() ?? null,
    releasedBy: grant.released_by,
  };
}

async function userOrganisation(tx: TenantTransaction, userId: string): Promise<string | null> {
  const [row] = await tx.query<{ org_id: string | null }>('SELECT hub_user_org($1) AS org_id', [userId]);
  return row?.org_id ?? null;
}

/** Whether one organisation reads the object, and the grant or the rule that decides it. */
async function decideFor(tx: TenantTransaction, organisationId: string, object: { org_id: string; marking: TlpMarking }, readers: Reader[]) {
  const [org] = await tx.query<OrganisationRow>('SELECT id, name, kind, status FROM organisations WHERE id = $1', [organisationId]);
  if (!org) throw HubException.notFound('organisation');
  const base = { id: org.id, name: org.name, kind: org.kind };
  // Its users and keys are refused at authentication, whatever its releases say; they come back if it is enabled.
  if (org.status === 'disabled') {
    return { ...base, canRead: 'no', because: [`${org.name} is disabled: a disabled organisation holds no access, whatever releases name it`] };
  }
  if (org.id === object.org_id) return { ...base, canRead: 'all users', because: ['it is the owner organisation'] };
  const community = org.kind === 'member' || org.kind === 'coordinator';
  const whole = readers.filter(
    (r) => r.grantee === `org:${org.id}` || r.grantee === 'public' || (r.grantee === 'community' && community),
  );
  if (whole.length > 0) return { ...base, canRead: 'all users', because: whole.map((r) => r.rule) };
  const named = readers.filter((r) => r.recipient.kind === 'user' && 'organisationId' in r.recipient && r.recipient.organisationId === org.id);
  if (named.length > 0) {
    return { ...base, canRead: 'named users only', users: named.map((r) => r.recipient.id), because: named.map((r) => r.rule) };
  }
  return { ...base, canRead: 'no', because: [whyNot(object.marking, org, readers)] };
}

function whyNot(marking: TlpMarking, org: OrganisationRow, readers: Reader[]): string {
  switch (marking) {
    case 'RED':
      return `the marking is RED: only named users read it, and no user of ${org.name} is named`;
    case 'AMBER+STRICT':
    case 'AMBER':
      return `the marking is ${marking}: only the organisations and users a release names read it, and no release names ${org.name}`;
    case 'GREEN':
      if (org.kind === 'partner' && readers.some((r) => r.grantee === 'community')) {
        return `the marking is GREEN and it is released to the community (members and coordinators); ${org.name} is a partner, which receives GREEN only through a feed subscription that accepts it`;
      }
      return `no release names ${org.name} or the community`;
    default:
      return `no release names ${org.name}, the community or the public`;
  }
}
