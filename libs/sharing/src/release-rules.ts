import type { TlpMarking } from './markings.js';

export const RECIPIENT_KINDS = ['organisation', 'user', 'community', 'public'] as const;
export type RecipientKind = (typeof RECIPIENT_KINDS)[number];

/**
 * DESIGN section 4 as data: for each marking, the recipients a release may name, and the rule that refuses
 * the others. Release creation, tightening and the access table all read this one table.
 */
export const RELEASE_RULES: Readonly<Record<TlpMarking, { allows: readonly RecipientKind[]; rule: string; reads: string }>> = {
  RED: {
    allows: ['user'],
    rule: 'RED may be released only to named users',
    reads: 'RED: only the named recipient users',
  },
  'AMBER+STRICT': {
    allows: ['user', 'organisation'],
    rule: 'AMBER+STRICT may be released only to named organisations or users, not to the community or the public',
    reads: 'AMBER+STRICT: users of the recipient organisations',
  },
  AMBER: {
    allows: ['user', 'organisation'],
    rule: 'AMBER may be released only to named organisations or users, not to the community or the public',
    reads: 'AMBER: users of the recipient organisations',
  },
  GREEN: {
    allows: ['user', 'organisation', 'community'],
    rule: 'GREEN may be released to organisations, users or the community, not to the public',
    reads: 'GREEN: the community (every member and coordinator organisation)',
  },
  CLEAR: {
    allows: ['user', 'organisation', 'community', 'public'],
    rule: 'CLEAR may be released to anyone',
    reads: 'CLEAR: everyone, the public included',
  },
};

export function releaseAllowed(marking: TlpMarking, recipient: RecipientKind): boolean {
  return RELEASE_RULES[marking].allows.includes(recipient);
}

/** Every (marking, recipient kind) pair the rules allow: what the access table may hold. */
export function allowedPairs(): { markings: string[]; kinds: string[] } {
  const pairs = Object.entries(RELEASE_RULES).flatMap(([marking, { allows }]) => allows.map((kind) => [marking, kind]));
  return { markings: pairs.map(([m]) => m), kinds: pairs.map(([, k]) => k) };
}
