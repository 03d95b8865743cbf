import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { LOG_SUBJECT_TYPES, type LogSubjectType, verifyLog } from '#audit';
import { PasswordHasher, type Role, ROLES } from '#auth';
import { createRootLogger, HubException } from '#common';
import {
  OPERATOR_CONTEXT,
  type OrgKind,
  organisationContext,
  provisionDatabase,
  runMigrations,
  TenantDatabase,
  upsertPlatformOperator,
} from '#database';
import { createInvitation } from '#organisations';
import { DataSource } from 'typeorm';

/**
 * Operator commands for a hub on its own PostgreSQL. Connection strings come from the environment,
 * never from arguments, so they stay out of shell history and process lists.
 */
const USAGE = `usage: npm run cli -- <command> [options]

commands:
  db:provision --database NAME   create roles hub_owner and hub_app and the database, as a superuser
                                 (ADMIN_DATABASE_URL); passwords from HUB_OWNER_PASSWORD / HUB_APP_PASSWORD,
                                 generated and printed once when unset
  migrate                        apply pending migrations as the owner (MIGRATION_DATABASE_URL)
  log:verify --org ORG_ID [--subject incident|joint_incident|agreement] --id SUBJECT_ID
                                 recompute a subject's management log chain (default subject: incident;
                                 --incident ID is short for --subject incident --id ID) as the application
                                 role (DATABASE_URL), seen by organisation ORG_ID, and name every broken
                                 entry; exit 1 when broken
  operator:create --email E --name N
                                 create or reset a platform operator (MIGRATION_DATABASE_URL);
                                 the password is read from HUB_OPERATOR_PASSWORD (at least 12 characters)
  invite:create --organisation SLUG --email E --name N --role R [--role R …]
                                 invite a user into an organisation as the application role (DATABASE_URL),
                                 for example its next admin; prints the single-use token once: the invitee
                                 sets a password with it at POST /api/v1/auth/invitations/accept
`;

function required(name: string): string {
  const value = process.env[name];
  if (!value) fail(`${name} is not set`);
  return value as string;
}

function fail(message: string): never {
  process.stderr.write(`${message}\n\n${USAGE}`);
  process.exit(2);
}

async function main(): Promise<void> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: {
      database: { type: 'string' },
      email: { type: 'string' },
      name: { type: 'string' },
      org: { type: 'string' },
      incident: { type: 'string' },
      subject: { type: 'string' },
      id: { type: 'string' },
      organisation: { type: 'string' },
      role: { type: 'string', multiple: true },
      help: { type: 'boolean' },
    },
  });
  const logger = createRootLogger('info');
  const [command] = positionals;
  switch (command) {
    case 'db:provision': {
      const generated: string[] = [];
      const secret = (name: string) => {
        if (process.env[name]) return process.env[name] as string;
        generated.push(name);
        return randomBytes(24).toString('base64url');
      };
      const ownerPassword = secret('HUB_OWNER_PASSWORD');
      const appPassword = secret('HUB_APP_PASSWORD');
      await provisionDatabase({ adminUrl: required('ADMIN_DATABASE_URL'), database: values.database ?? 'hub', ownerPassword, appPassword });
      process.stdout.write(`provisioned database ${values.database ?? 'hub'} with roles hub_owner and hub_app\n`);
      if (generated.includes('HUB_OWNER_PASSWORD')) process.stdout.write(`hub_owner password (shown once): ${ownerPassword}\n`);
      if (generated.includes('HUB_APP_PASSWORD')) process.stdout.write(`hub_app password (shown once): ${appPassword}\n`);
      return;
    }
    case 'migrate': {
      const applied = await runMigrations(required('MIGRATION_DATABASE_URL'), logger);
      process.stdout.write(applied.length ? `applied ${applied.join(', ')}\n` : 'nothing to migrate\n');
      return;
    }
    case 'operator:create': {
      if (!values.email || !values.name) fail('operator:create needs --email and --name');
      const password = required('HUB_OPERATOR_PASSWORD');
      if (password.length < 12) fail('HUB_OPERATOR_PASSWORD must be at least 12 characters');
      const id = await upsertPlatformOperator(required('MIGRATION_DATABASE_URL'), {
        email: values.email as string,
        displayName: values.name as string,
        passwordHash: await new PasswordHasher().hash(password),
      });
      process.stdout.write(`platform operator ${values.email} is ${id}\n`);
      return;
    }
    case 'invite:create': {
      if (!values.organisation || !values.email || !values.name || !values.role?.length) {
        fail('invite:create needs --organisation, --email, --name and at least one --role');
      }
      const roles = values.role as string[];
      const unknown = roles.filter((role) => !ROLES.includes(role as Role));
      if (unknown.length > 0) fail(`--role must be one of ${ROLES.join(', ')}, not ${unknown.join(', ')}`);
      const dataSource = await new DataSource({ type: 'postgres', url: required('DATABASE_URL') }).initialize();
      const db = new TenantDatabase(dataSource);
      try {
        const [org] = await db.run(OPERATOR_CONTEXT, (tx) =>
          tx.query<{ id: string; kind: OrgKind; name: string }>("SELECT id, kind, name FROM organisations WHERE slug = $1 AND status = 'active'", [
            values.organisation,
          ]),
        );
        if (!org) fail(`no active organisation has the slug ${values.organisation}`);
        if (roles.includes('coordinator') && org.kind !== 'coordinator') fail('the coordinator role exists only in a coordinator organisation');
        const invitation = await db.run(organisationContext(org.id, null, org.kind), (tx) =>
          createInvitation(tx, { orgId: org.id, createdBy: null, email: values.email as string, displayName: values.name as string, roles: roles as Role[] }),
        );
        process.stdout.write(
          `invited ${invitation.email} to ${org.name} as ${invitation.roles.join(', ')}; the invitation expires at ${invitation.expiresAt}\n` +
            `token (shown once; the invitee sets a password with it at POST /api/v1/auth/invitations/accept):\n${invitation.token}\n`,
        );
      } finally {
        await dataSource.destroy();
      }
      return;
    }
    case 'log:verify': {
      const type = (values.subject ?? 'incident') as LogSubjectType;
      if (!LOG_SUBJECT_TYPES.includes(type)) fail(`--subject must be one of ${LOG_SUBJECT_TYPES.join(', ')}, not ${values.subject}`);
      if (values.incident && values.id) fail('log:verify takes --incident or --id, not both');
      if (values.incident && type !== 'incident') fail('--incident names an incident; use --id with --subject');
      const id = values.id ?? values.incident;
      if (!values.org || !id) fail('log:verify needs --org and --id (or --incident)');
      const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
      if (!uuid.test(values.org as string) || !uuid.test(id as string)) fail('log:verify takes ids as UUIDs');
      const dataSource = await new DataSource({ type: 'postgres', url: required('DATABASE_URL') }).initialize();
      const verdict = await new TenantDatabase(dataSource)
        .run(organisationContext(values.org as string), (tx) => verifyLog(tx, { type, id: id as string }))
        .catch((error: unknown) => {
          if (error instanceof HubException && error.status === 404) fail(`no ${type} ${id} has a log organisation ${values.org} may read`);
          throw error;
        })
        .finally(() => dataSource.destroy());
      process.stdout.write(`${JSON.stringify(verdict, null, 2)}\n`);
      process.exit(verdict.valid ? 0 : 1);
    }
    default:
      fail(command ? `unknown command ${command}` : 'no command given');
  }
}

await main();
