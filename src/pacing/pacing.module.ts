import { Module } from '@nestjs/common';
import { CatalogModule } from '../catalog/catalog.module.js';
import { WorkingHoursService } from './working-hours.service.js';

/** Working hours (pure calendar + the identity's resolved schedule); WorkspacesModule is global. */
@Module({
  imports: [CatalogModule],
  providers: [WorkingHoursService],
  exports: [WorkingHoursService],
})
export class PacingModule {}
