import { Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { readCatalogFile } from './catalog-file.js';
import { DEFAULT_CATALOG } from './catalog.data.js';
import { type ActionDefinition, type Catalog, type LimitDefinition } from './catalog.types.js';

/** The catalog in force: the shipped defaults, extended or replaced by CATALOG_FILE (validated at boot). */
@Injectable()
export class CatalogService {
  private readonly catalog: Catalog;
  private readonly actions: Map<string, ActionDefinition>;
  private readonly limits: Map<string, LimitDefinition>;

  constructor(config: AppConfig) {
    this.catalog = config.catalogFile ? readCatalogFile(config.catalogFile) : DEFAULT_CATALOG;
    this.actions = new Map(this.catalog.actions.map((a) => [a.slug, a]));
    this.limits = new Map(this.catalog.limits.map((l) => [l.slug, l]));
  }

  get(): Catalog {
    return this.catalog;
  }

  action(slug: string): ActionDefinition | undefined {
    return this.actions.get(slug);
  }

  limit(slug: string): LimitDefinition | undefined {
    return this.limits.get(slug);
  }
}
