import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { ApiErrors, ApiPageResponse, decodeCursor, type Describes, HubException, type Page, PageQueryDto, toPage } from '#common';
import { CurrentPrincipal, type OrgPrincipal, tenantContextOf } from '#auth';
import { TenantDatabase } from '#database';
import { PARTICIPANT_ROLES } from '../dto/joint-incident.dto.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

interface InvitationRow {
  id: string;
  joint_incident_id: string;
  role: (typeof PARTICIPANT_ROLES)[number];
  pseudonym: string | null;
  coordinator_org_id: string;
  coordinator_name: string;
  invited_at: Date;
}

/**
 * An open invitation as the invited organisation sees it: which joint incident, the role, whether under a
 * pseudonym, who coordinates, when. Nothing of the joint incident itself (no title, summary, marking, phase):
 * DESIGN section 5 says the organisation sees anything only once it has accepted.
 */
export function invitationView(row: InvitationRow) {
  return {
    id: row.id,
    jointIncidentId: row.joint_incident_id,
    role: row.role,
    pseudonymous: row.pseudonym !== null,
    coordinator: { id: row.coordinator_org_id, name: row.coordinator_name },
    invitedAt: row.invited_at.toISOString(),
  };
}

export class InvitationCoordinatorView {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ example: 'National CSIRT' })
  name: string;
}

export class JointInvitationView {
  @ApiProperty({ format: 'uuid', description: "The participation's id: the organisation's id inside this joint incident" })
  id: string;

  @ApiProperty({ format: 'uuid', description: 'Accept or decline at /api/v1/joint-incidents/{jointIncidentId}/participants/{your organisation id}' })
  jointIncidentId: string;

  @ApiProperty({ enum: PARTICIPANT_ROLES })
  role: (typeof PARTICIPANT_ROLES)[number];

  @ApiProperty({ description: 'Whether the organisation would take part under a pseudonym (the pseudonym is shown once accepted)' })
  pseudonymous: boolean;

  @ApiProperty({ type: InvitationCoordinatorView, description: 'The coordinator organisation that invited it' })
  coordinator: InvitationCoordinatorView;

  @ApiProperty({ type: String, format: 'date-time' })
  invitedAt: string;
}

true satisfies Describes<JointInvitationView, ReturnType<typeof invitationView>>;

/**
 * One page of an organisation's open invitations after the joint incident id `after` (exported for EXPLAIN):
 * joint_participants_org_idx (participant_org_id, state, joint_incident_id) gives both the rows and the order.
 */
export function jointInvitationsPageSql(orgId: string, limit: number, after: string | null): { sql: string; params: unknown[] } {
  const params: unknown[] = [orgId, limit + 1];
  if (after) params.push(after);
  return {
    sql: `SELECT p.id, p.joint_incident_id, p.role, p.pseudonym, p.org_id AS coordinator_org_id, o.name AS coordinator_name, p.invited_at
            FROM joint_participants p JOIN organisations o ON o.id = p.org_id
           WHERE p.participant_org_id = $1 AND p.state = 'invited'${after ? ' AND p.joint_incident_id > $3::uuid' : ''}
           ORDER BY p.joint_incident_id LIMIT $2`,
    params,
  };
}

/**
 * `GET /api/v1/joint-invitations`: the caller's organisation's pending invitations. A list of its own, not a
 * `state=invited` filter on `GET /joint-incidents`: that list answers joint incidents (title, phase, marking)
 * read through the policy, and an invitation must show none of it; for the coordinator the filter would mean
 * its register's invitations, another question. Reads the caller's own joint_participants rows (row-level
 * security: joint_participants_own_read), walked in joint_participants_org_idx order
 * (participant_org_id, state, joint_incident_id); the cursor is the last joint incident id (one open
 * invitation per joint incident and organisation: joint_participants_live_key).
 */
@ApiTags('joint incidents')
@ApiBearerAuth()
@ApiErrors(401, 403)
@Controller('api/v1/joint-invitations')
export class JointInvitationsController {
  constructor(private readonly db: TenantDatabase) {}

  @Get()
  @ApiOperation({ summary: "Your organisation's pending joint incident invitations (ids, role, coordinator; nothing of the joint incident before you accept)" })
  @ApiPageResponse(JointInvitationView, 'One page, in joint incident id order')
  @ApiErrors(400)
  list(@CurrentPrincipal() principal: OrgPrincipal, @Query() query: PageQueryDto): Promise<Page<ReturnType<typeof invitationView>>> {
    const after = decodeCursor(query.cursor);
    if (after && !UUID.test(after.key)) throw HubException.invalid('cursor', 'isCursor', 'cursor is not a cursor this hub issued');
    return this.db.run(tenantContextOf(principal), async (tx) => {
      const page = jointInvitationsPageSql(principal.orgId, query.limit, after?.key ?? null);
      const rows = await tx.query<InvitationRow>(page.sql, page.params);
      return toPage(rows, query.limit, (row) => row.joint_incident_id).map(invitationView);
    });
  }
}
