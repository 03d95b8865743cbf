import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import type { OrgKind } from '#database';

export type OrgStatus = 'active' | 'disabled';

@Entity('organisations')
export class OrganisationEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column('text')
  slug: string;

  @Column('text')
  name: string;

  @Column('text')
  kind: OrgKind;

  @Column('text', { nullable: true })
  sector: string | null;

  @Column('char', { length: 2, nullable: true })
  country: string | null;

  @Column('text')
  status: OrgStatus;

  /**
   * IANA zone: how due dates read for this organisation. hub_app may not select the column (migration
   * 1765958400000): never loaded; set on creation only (the database default is UTC). Read the organisation's own
   * zone with `hub_org_time_zone` (`timeZoneOf` in the service); others' zones reach a caller only by hub_joint_party.
   */
  @Column('text', { name: 'time_zone', select: false })
  timeZone?: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;

  @Column('timestamptz', { name: 'disabled_at', nullable: true })
  disabledAt: Date | null;
}
