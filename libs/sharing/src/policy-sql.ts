import { rulesToAST } from '@casl/ability/extra';
import type { HubAbility, PolicyAction, PolicySubject } from './policy.js';
import { SHAREABLE_TYPES } from './shareable-types.js';

/** Parameters of one statement, each value under its own placeholder, in the order they were added. */
export class SqlParams {
  readonly values: unknown[] = [];

  add(value: unknown, cast?: string): string {
    this.values.push(value);
    return `$${this.values.length}${cast ? `::${cast}` : ''}`;
  }
}

/** How one condition field of the policy reads in SQL; a field not listed here cannot be compiled. */
export type FieldSql = { kind: 'column'; column: string; cast: string } | { kind: 'grantees'; objectType: string; idColumn: string };
export type SubjectSql = Readonly<Record<string, FieldSql>>;

/**
 * The allow-list of condition fields, per subject, from the registry: the owner column of the type's alias,
 * and for a shared subject the grantee keys of its access rows.
 */
export const POLICY_SQL = Object.fromEntries(
  SHAREABLE_TYPES.flatMap((t) => {
    const orgId: FieldSql = { kind: 'column', column: `${t.alias}.${t.ownerColumn}`, cast: 'uuid' };
    return [
      [t.ownSubject, { orgId }],
      [t.sharedSubject, { orgId, grantees: { kind: 'grantees', objectType: t.type, idColumn: `${t.alias}.id` } }],
    ];
  }),
) as unknown as Readonly<Record<PolicySubject, SubjectSql>>;

interface AstNode {
  operator: string;
  field?: string;
  value: unknown;
}

export class PolicyCompileError extends Error {}

/**
 * The policy for one action on one subject as a SQL condition. Deny by default: no permitting rule is
 * `false`, never "no filter". Only the fields in `POLICY_SQL` and the operators below compile; anything else
 * throws rather than guess.
 */
export function compilePolicy(ability: HubAbility, action: PolicyAction, subject: PolicySubject, params: SqlParams): string {
  const ast = rulesToAST(ability, action, subject) as AstNode | null;
  const fields = POLICY_SQL[subject] as SubjectSql | undefined;
  if (!fields) throw new PolicyCompileError(`${String(subject)} is not a subject of a registered shareable type`);
  if (ast === null) return 'false';
  return compileNode(ast, fields, params);
}

function compileNode(node: AstNode, fields: SubjectSql, params: SqlParams): string {
  switch (node.operator) {
    case 'and':
    case 'or': {
      const parts = (node.value as AstNode[]).map((child) => compileNode(child, fields, params));
      // An empty conjunction holds (an unconditional rule); an empty disjunction does not.
      if (parts.length === 0) return node.operator === 'and' ? 'true' : 'false';
      return parts.length === 1 ? parts[0] : `(${parts.join(node.operator === 'and' ? ' AND ' : ' OR ')})`;
    }
    case 'not': {
      const [child] = node.value as AstNode[];
      return `NOT ${compileNode(child, fields, params)}`;
    }
    default:
      return compileField(node, fields, params);
  }
}

function compileField(node: AstNode, fields: SubjectSql, params: SqlParams): string {
  const spec = node.field === undefined ? undefined : fields[node.field];
  if (!spec) throw new PolicyCompileError(`the policy names field ${String(node.field)}, which has no SQL mapping`);
  if (spec.kind === 'grantees') {
    if (node.operator !== 'in' || !Array.isArray(node.value)) throw new PolicyCompileError(`grantees compile only with $in, not ${node.operator}`);
    if (node.value.length === 0) return 'false';
    return `EXISTS (SELECT 1 FROM access a WHERE a.object_id = ${spec.idColumn} AND a.object_type = '${spec.objectType}' AND a.grantee = ANY (${params.add(node.value, 'text[]')}))`;
  }
  switch (node.operator) {
    case 'eq':
      return node.value === null ? `${spec.column} IS NULL` : `${spec.column} = ${params.add(node.value, spec.cast)}`;
    case 'ne':
      return node.value === null ? `${spec.column} IS NOT NULL` : `${spec.column} <> ${params.add(node.value, spec.cast)}`;
    case 'in':
      if (!Array.isArray(node.value)) throw new PolicyCompileError(`$in on ${node.field} needs a list`);
      return node.value.length === 0 ? 'false' : `${spec.column} = ANY (${params.add(node.value, `${spec.cast}[]`)})`;
    default:
      throw new PolicyCompileError(`operator ${node.operator} on ${node.field} does not compile`);
  }
}
