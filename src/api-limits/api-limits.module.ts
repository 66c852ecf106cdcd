import { Module } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { IdentitiesModule } from '../identities/identities.module.js';
import { ApiLimitInterceptor } from './api-limit.interceptor.js';
import { ApiLimitsController } from './api-limits.controller.js';
import { ApiLimitsService } from './api-limits.service.js';
import { QuotaWarningsRepository } from './quota-warnings.repository.js';
import { RunsController } from './runs.controller.js';
import { TiersController } from './tiers.controller.js';

@Module({
  imports: [IdentitiesModule],
  controllers: [ApiLimitsController, RunsController, TiersController],
  providers: [ApiLimitsService, QuotaWarningsRepository, { provide: APP_INTERCEPTOR, useClass: ApiLimitInterceptor }],
  exports: [ApiLimitsService],
})
export class ApiLimitsModule {}
