import { type DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { ScheduleModule } from '@nestjs/schedule';
import { LoggerModule } from 'nestjs-pino';
import { ApiLimitsModule } from './api-limits/api-limits.module.js';
import { CatalogModule } from './catalog/catalog.module.js';
import { type Clock } from './common/clock.js';
import { AllExceptionsFilter } from './common/errors/all-exceptions.filter.js';
import { loggerParams } from './common/logging/logging.js';
import { type AppConfig } from './config/app-config.js';
import { ConfigModule } from './config/config.module.js';
import { CooldownsModule } from './cooldowns/cooldowns.module.js';
import { DashboardModule } from './dashboard/dashboard.module.js';
import { DatabaseModule } from './database/database.module.js';
import { HealthModule } from './health/health.module.js';
import { IdentitiesModule } from './identities/identities.module.js';
import { InvitationsModule } from './invitations/invitations.module.js';
import { JournalModule } from './journal/journal.module.js';
import { NotificationsModule } from './notifications/notifications.module.js';
import { RedisModule } from './redis/redis.module.js';
import { SmartLimitsModule } from './smart-limits/smart-limits.module.js';
import { WorkspacesModule } from './workspaces/workspaces.module.js';

/** Composition root only. */
@Module({})
export class AppModule {
  static forRoot(config: AppConfig, clock?: Clock, logDestination?: NodeJS.WritableStream): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config, clock),
        LoggerModule.forRoot(loggerParams(config, logDestination)),
        ...(config.jobsEnabled ? [ScheduleModule.forRoot()] : []),
        RedisModule,
        DatabaseModule,
        HealthModule,
        CatalogModule,
        WorkspacesModule,
        IdentitiesModule,
        JournalModule,
        SmartLimitsModule,
        CooldownsModule,
        InvitationsModule,
        ApiLimitsModule,
        NotificationsModule,
        DashboardModule,
      ],
      providers: [{ provide: APP_FILTER, useClass: AllExceptionsFilter }],
    };
  }
}
