import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

@Entity('api_keys')
export class ApiKeyEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column('uuid', { name: 'workspace_id' }) workspaceId!: string;
  /** sha256 of the key, hex: keys are random (256 bits), so a fast hash is enough and never reversible. */
  @Column('text', { name: 'key_hash' }) keyHash!: string;
  /** First characters, to tell keys apart in logs and lists without revealing them. */
  @Column('text', { name: 'key_prefix' }) keyPrefix!: string;
  /** The operator's name for it ("crm-sync", "worker fleet eu"); optional. */
  @Column('text', { nullable: true }) name!: string | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  /** Within a minute: written at most once a minute per key (ApiKeysService.noteUse). */
  @Column('timestamptz', { name: 'last_used_at', nullable: true }) lastUsedAt!: Date | null;
  @Column('timestamptz', { name: 'revoked_at', nullable: true }) revokedAt!: Date | null;
}
