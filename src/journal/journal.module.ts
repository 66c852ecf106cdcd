import { Module } from '@nestjs/common';
import { CatalogModule } from '../catalog/catalog.module.js';
import { IdentitiesModule } from '../identities/identities.module.js';
import { JournalRetentionJob } from './journal-retention.job.js';
import { JournalWriter } from './journal-writer.service.js';
import { JournalController } from './journal.controller.js';
import { JournalRepository } from './journal.repository.js';
import { JournalService } from './journal.service.js';

/** The action journal (SPEC §9b): batched writes, retention, the actions list, history reads for activity and rebuilds. */
@Module({
  imports: [CatalogModule, IdentitiesModule],
  controllers: [JournalController],
  providers: [JournalRepository, JournalWriter, JournalRetentionJob, JournalService],
  exports: [JournalService],
})
export class JournalModule {}
