import { Module } from '@nestjs/common';
import { CatalogModule } from '../catalog/catalog.module.js';
import { IdentitiesModule } from '../identities/identities.module.js';
import { InvitationsModule } from '../invitations/invitations.module.js';
import { SmartLimitsModule } from '../smart-limits/smart-limits.module.js';
import { ClassifiedErrorsRepository } from './classified-errors.repository.js';
import { CooldownExpiryJob } from './cooldown-expiry.job.js';
import { CooldownMirror } from './cooldown-mirror.service.js';
import { CooldownRemirrorJob } from './cooldown-remirror.job.js';
import { CooldownsController } from './cooldowns.controller.js';
import { CooldownsRepository } from './cooldowns.repository.js';
import { CooldownsService } from './cooldowns.service.js';
import { OutcomesController } from './outcomes.controller.js';
import { OutcomesService } from './outcomes.service.js';

/** Outcomes → classification → cooldowns: PostgreSQL history and outbox, Redis mirrors, expiry and re-mirror jobs. */
@Module({
  imports: [CatalogModule, IdentitiesModule, SmartLimitsModule, InvitationsModule],
  controllers: [OutcomesController, CooldownsController],
  providers: [
    CooldownsRepository,
    ClassifiedErrorsRepository,
    CooldownMirror,
    CooldownsService,
    OutcomesService,
    CooldownExpiryJob,
    CooldownRemirrorJob,
  ],
  exports: [CooldownsService],
})
export class CooldownsModule {}
