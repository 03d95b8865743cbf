import { ApiProperty } from '@nestjs/swagger';
import type { Describes } from '#common';
import type { ChainBreak, ChainVerdict, LogEntry } from '../log-chain.js';
import { LOG_SUBJECT_TYPES, type LogSubjectType } from '../log-chain.js';
import type { CheckpointViewOf } from '../checkpoints.js';

/** The response classes of a management log (entries, verdict, checkpoints), whatever its subject, for the OpenAPI document. */

export class LogEntryView implements LogEntry {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ minimum: 1 })
  seq: number;

  @ApiProperty({ format: 'date-time' })
  at: string;

  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  actorId: string | null;

  @ApiProperty({ enum: ['user', 'api_key', 'operator'] })
  actorKind: string;

  @ApiProperty({
    type: String,
    format: 'uuid',
    nullable: true,
    description: "The appending organisation when it is not the chain's owner (a joint incident's participant, an agreement's party)",
  })
  actorOrgId: string | null;

  @ApiProperty({ example: 'incident.phase_changed' })
  action: string;

  @ApiProperty()
  reason: string;

  @ApiProperty({ type: 'object', additionalProperties: true })
  details: Record<string, unknown>;

  @ApiProperty({ type: String, nullable: true, description: 'SHA-256 (hex) of the previous entry' })
  prevHash: string | null;

  @ApiProperty({ description: 'SHA-256 (hex) over this entry and the previous hash' })
  hash: string;
}

export class BrokenEntryView implements ChainBreak {
  @ApiProperty()
  seq: number;

  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  id: string | null;

  @ApiProperty()
  problem: string;
}

export class ChainVerdictView implements ChainVerdict {
  @ApiProperty()
  valid: boolean;

  @ApiProperty()
  entries: number;

  @ApiProperty({ type: BrokenEntryView, nullable: true, description: 'The first of the breaks' })
  firstBroken: BrokenEntryView | null;

  @ApiProperty({ type: BrokenEntryView, isArray: true, description: 'Every break in the chain, in order; empty when it holds' })
  breaks: BrokenEntryView[];
}

export class LogSubjectView {
  @ApiProperty({ enum: LOG_SUBJECT_TYPES })
  type: LogSubjectType;

  @ApiProperty({ format: 'uuid' })
  id: string;
}

export class CheckpointView {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ type: LogSubjectView })
  subject: LogSubjectView;

  @ApiProperty({ format: 'uuid', description: "The chain's owner" })
  orgId: string;

  @ApiProperty({ minimum: 1, description: 'Entries in the chain when it was signed' })
  length: number;

  @ApiProperty({ description: 'SHA-256 (hex) of the last of those entries: the chain head' })
  headHash: string;

  @ApiProperty({ description: 'RFC 7638 thumbprint of the signing key, as in /.well-known/jwks.json' })
  kid: string;

  @ApiProperty({
    description:
      "Compact JWS (EdDSA, Ed25519), header typ 'hub-log-checkpoint+jws' and kid; payload {jti, sub: '<type>:<id>', org, length, head, hashAlg, iat}",
  })
  jws: string;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: "Who asked for it; shown to the chain's owner only" })
  createdBy: string | null;
}

true satisfies Describes<CheckpointView, CheckpointViewOf>;
