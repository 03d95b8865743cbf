import { ApiProperty } from '@nestjs/swagger';
import type { Describes } from '#common';
import { TLP_MARKINGS } from '#sharing';
import type { acceptanceView, agreementItemView, agreementView, versionView } from '../agreement.view.js';

/** The response classes of coordination agreements (`agreement.view.ts`), for the OpenAPI document. */

export class RequiredContactView {
  @ApiProperty({ example: 'point of contact' })
  duty: string;

  @ApiProperty({ minimum: 1, maximum: 10 })
  minimum: number;
}

export class AgreementVersionView {
  @ApiProperty({ minimum: 1 })
  version: number;

  @ApiProperty()
  text: string;

  @ApiProperty({ type: [String], format: 'uuid', description: 'The party organisations' })
  parties: string[];

  @ApiProperty({ enum: TLP_MARKINGS })
  defaultMarking: string;

  @ApiProperty({ format: 'date-time' })
  validFrom: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'Exclusive; null: open-ended' })
  validUntil: string | null;

  @ApiProperty({ description: 'Whether the version is within its validity window now' })
  validNow: boolean;

  @ApiProperty({ type: [RequiredContactView], description: 'The points of contact each party names when it accepts' })
  requiredContacts: RequiredContactView[];

  @ApiProperty({ format: 'uuid' })
  publishedBy: string;

  @ApiProperty({ format: 'date-time' })
  publishedAt: string;
}

export class AgreementItemView {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ format: 'uuid', description: 'The coordinator organisation that publishes the agreement' })
  coordinatorOrgId: string;

  @ApiProperty()
  title: string;

  @ApiProperty({ enum: ['coordinator', 'party'], description: "The caller's side of the agreement" })
  role: 'coordinator' | 'party';

  @ApiProperty({ minimum: 1, description: 'The version that counts: only its acceptances do' })
  currentVersion: number;

  @ApiProperty({ type: AgreementVersionView, description: 'The coordinator: the current version; a party: the latest version that names it' })
  version: AgreementVersionView;

  @ApiProperty({ type: Boolean, nullable: true, description: 'A party: whether it accepted the current version; null for the coordinator' })
  acceptedCurrentVersion: boolean | null;

  @ApiProperty({ type: [String], format: 'uuid', nullable: true, description: 'The coordinator: the parties that accepted the current version; null for a party' })
  partiesAccepted: string[] | null;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt: string;
}

export class AgreementView extends AgreementItemView {
  @ApiProperty({ type: [AgreementVersionView], description: 'Newest first: every version for the coordinator, those naming it for a party' })
  versions: AgreementVersionView[];
}

export class NamedContactView {
  @ApiProperty()
  duty: string;

  @ApiProperty({ format: 'uuid' })
  pointOfContactId: string;
}

export class AcceptanceView {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ format: 'uuid' })
  agreementId: string;

  @ApiProperty({ minimum: 1 })
  version: number;

  @ApiProperty({ description: 'Whether it accepts the current version (an acceptance of an earlier one no longer counts)' })
  current: boolean;

  @ApiProperty({ format: 'uuid', description: 'The accepting party' })
  orgId: string;

  @ApiProperty({ format: 'uuid' })
  coordinatorOrgId: string;

  @ApiProperty({ format: 'uuid', description: "The party's admin who accepted" })
  acceptedBy: string;

  @ApiProperty({ format: 'date-time' })
  acceptedAt: string;

  @ApiProperty({ type: [NamedContactView], description: "The party's points of contact named for the agreement's duties" })
  pointsOfContact: NamedContactView[];
}

true satisfies Describes<AgreementVersionView, ReturnType<typeof versionView>>;
true satisfies Describes<AgreementItemView, ReturnType<typeof agreementItemView>>;
true satisfies Describes<AgreementView, ReturnType<typeof agreementView>>;
true satisfies Describes<AcceptanceView, ReturnType<typeof acceptanceView>>;
