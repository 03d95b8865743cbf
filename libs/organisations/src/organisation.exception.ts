import { HubException, HubErrorCode } from '#common';

export enum OrganisationErrorCode {
  SlugTaken = 'ORG_SLUG_TAKEN',
  EmailTaken = 'USER_EMAIL_TAKEN',
  StaleVersion = 'STALE_VERSION',
  RoleNotInKind = 'USER_ROLE_NOT_IN_KIND',
  SelfLockout = 'USER_SELF_LOCKOUT',
  LastAdmin = 'USER_LAST_ADMIN',
}

export class OrganisationException extends HubException {
  static slugTaken(slug: string) {
    return new OrganisationException(OrganisationErrorCode.SlugTaken, `an organisation with slug "${slug}" already exists`, {
      status: 409,
      details: [{ field: 'slug', rule: 'unique', message: 'slug is already in use' }],
    });
  }

  static emailTaken(field: string) {
    return new OrganisationException(OrganisationErrorCode.EmailTaken, 'this email address already has an account on the hub', {
      status: 409,
      details: [{ field, rule: 'unique', message: `${field} is already in use` }],
    });
  }

  static staleVersion(what: string, current: number) {
    return new OrganisationException(
      OrganisationErrorCode.StaleVersion,
      `the ${what} was changed since you read it (now at version ${current}); reload and apply your change again`,
      { status: 409 },
    );
  }

  static coordinatorRoleOutsideCoordinator() {
    return new OrganisationException(
      OrganisationErrorCode.RoleNotInKind,
      'the coordinator role exists only in a coordinator organisation',
      { status: 400, details: [{ field: 'roles', rule: 'roleAllowedForKind', message: 'coordinator is not a role of this organisation' }] },
    );
  }

  static selfLockout() {
    return new OrganisationException(
      OrganisationErrorCode.SelfLockout,
      'you cannot disable yourself or remove your own admin role; ask another admin',
      { status: 409 },
    );
  }

  static lastAdmin() {
    return new OrganisationException(
      OrganisationErrorCode.LastAdmin,
      'this change would leave the organisation without an active admin; make another user admin first',
      { status: 409 },
    );
  }
}

export { HubErrorCode };

/** Unique violations by the index that raised them. */
export function uniqueViolation(error: unknown): string | null {
  const e = error as { code?: string; constraint?: string; driverError?: { code?: string; constraint?: string } };
  const code = e.driverError?.code ?? e.code;
  return code === '23505' ? (e.driverError?.constraint ?? e.constraint ?? 'unique') : null;
}
