import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { type Schedule } from '../pacing/schedule.js';

const bigintAsNumber = { to: (v: number) => v, from: (v: string | null) => (v === null ? null : Number(v)) };

@Entity('workspaces')
export class WorkspaceEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column('text') name!: string;
  @Column('bigint', { name: 'monthly_credits', transformer: bigintAsNumber }) monthlyCredits!: number;
  @Column('jsonb', { name: 'custom_limits', nullable: true }) customLimits!: Record<string, unknown> | null;
  /** Default working hours of its identities (null: any time). */
  @Column('jsonb', { nullable: true }) schedule!: Schedule | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
}
