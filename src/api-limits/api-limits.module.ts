import { Global, Module } from '@nestjs/common';
import { AFTER_AUTHENTICATION } from '../common/auth/after-authentication.js';
import { IdentitiesModule } from '../identities/identities.module.js';
import { ApiLimitCounter } from './api-limit-counter.js';
import { ApiLimitsController } from './api-limits.controller.js';
import { ApiLimitsService } from './api-limits.service.js';
import { QuotaWarningsRepository } from './quota-warnings.repository.js';
import { RunsController } from './runs.controller.js';
import { TiersController } from './tiers.controller.js';

/** Global so WorkspaceAuthGuard, wherever a feature uses it, counts the API limits after authenticating. */
@Global()
@Module({
  imports: [IdentitiesModule],
  controllers: [ApiLimitsController, RunsController, TiersController],
  providers: [ApiLimitsService, QuotaWarningsRepository, ApiLimitCounter, { provide: AFTER_AUTHENTICATION, useExisting: ApiLimitCounter }],
  exports: [ApiLimitsService, AFTER_AUTHENTICATION],
})
export class ApiLimitsModule {}
