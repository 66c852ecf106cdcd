import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

@Entity('api_keys')
export class ApiKeyEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column('uuid', { name: 'workspace_id' }) workspaceId!: string;
  /** sha256 of the key, hex: keys are random (256 bits), so a fast hash is enough and never reversible. */
  @Column('text', { name: 'key_hash' }) keyHash!: string;
  /** First characters, to tell keys apart in logs and lists without revealing them. */
  @Column('text', { name: 'key_prefix' }) keyPrefix!: string;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @Column('timestamptz', { name: 'revoked_at', nullable: true }) revokedAt!: Date | null;
}
