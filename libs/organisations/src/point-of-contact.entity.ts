import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn, VersionColumn } from 'typeorm';

export const CONTACT_CHANNEL_KINDS = ['email', 'phone', 'sms', 'signal', 'matrix', 'pager', 'web', 'other'] as const;
export type ContactChannelKind = (typeof CONTACT_CHANNEL_KINDS)[number];

export interface ContactChannel {
  kind: ContactChannelKind;
  value: string;
}

@Entity('points_of_contact')
export class PointOfContactEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column('uuid', { name: 'org_id' })
  orgId: string;

  @Column('text')
  name: string;

  @Column('text', { name: 'role_title', nullable: true })
  roleTitle: string | null;

  @Column('uuid', { name: 'user_id', nullable: true })
  userId: string | null;

  @Column('jsonb')
  channels: ContactChannel[];

  @VersionColumn()
  version: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
