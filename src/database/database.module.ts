import { Global, Logger, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config.js';
import { runMigrations } from './migrate.js';
import { PgEventsService } from './pg-events.service.js';
import { typeormOptions } from './typeorm-options.js';

@Global()
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({ ...typeormOptions(config), autoLoadEntities: true }),
      dataSourceFactory: async (options) => {
        const ds = await new DataSource(options!).initialize();
        const applied = await runMigrations(ds);
        if (applied.length) new Logger('Database').log(`applied migrations: ${applied.join(', ')}`);
        return ds;
      },
    }),
  ],
  providers: [PgEventsService],
  exports: [PgEventsService],
})
export class DatabaseModule {}
