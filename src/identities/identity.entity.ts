import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { type AccountType, type Level, type WarmupMode } from '../catalog/catalog.types.js';
import { type Identity, type IdentityMode, type IdentityStatus } from './identity.js';

@Entity('identities')
export class IdentityEntity implements Identity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column('uuid', { name: 'workspace_id' }) workspaceId!: string;
  @Column('text', { name: 'external_id' }) externalId!: string;
  @Column('text', { nullable: true }) label!: string | null;
  @Column('text') mode!: IdentityMode;
  @Column('text', { name: 'account_type' }) accountType!: AccountType;
  @Column('text') timezone!: string;
  @Column('text') warmup!: WarmupMode;
  @Column('timestamptz', { name: 'warmup_started_at' }) warmupStartedAt!: Date;
  @Column('timestamptz', { name: 'warmup_frozen_from', nullable: true }) warmupFrozenFrom!: Date | null;
  @Column('timestamptz', { name: 'warmup_frozen_until', nullable: true }) warmupFrozenUntil!: Date | null;
  @Column('double precision', { name: 'warmup_restart_factor', nullable: true }) warmupRestartFactor!: number | null;
  @Column('text') level!: Level;
  @Column('jsonb', { name: 'limit_overrides' }) limitOverrides!: Record<string, number>;
  @Column('text') status!: IdentityStatus;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
}
