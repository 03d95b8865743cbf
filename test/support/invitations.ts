import { bearer, type DemoOrgSlug, type TestHub } from './test-hub.js';

export interface InvitedUser {
  id: string;
  email: string;
  roles: string[];
  version: number;
}

/** A user as the product makes one: the organisation's admin invites, the invitee accepts with its password. */
export async function inviteUser(
  hub: TestHub,
  slug: DemoOrgSlug,
  user: { email: string; displayName: string; roles: string[] },
  password: string,
  adminToken = hub.token(slug, 'admin'),
): Promise<InvitedUser> {
  const invitation = await hub.http().post('/api/v1/invitations').set(bearer(adminToken)).send(user);
  if (invitation.status !== 201) throw new Error(`invitation of ${user.email} failed: ${invitation.status} ${JSON.stringify(invitation.body)}`);
  const accepted = await hub.http().post('/api/v1/auth/invitations/accept').send({ token: invitation.body.token, password });
  if (accepted.status !== 201) throw new Error(`acceptance by ${user.email} failed: ${accepted.status} ${JSON.stringify(accepted.body)}`);
  const read = await hub.http().get(`/api/v1/users/${accepted.body.id}`).set(bearer(adminToken)).expect(200);
  return read.body;
}
