import { type Catalog } from '../../catalog/catalog.types.js';

/**
 * The catalog in force, for validators that class-validator instantiates outside Nest's container
 * (limit_overrides must name known limit slugs). Set once at boot by CatalogService.
 */
let active: Catalog | null = null;

export function setActiveCatalog(c: Catalog): void {
  active = c;
}

export function activeCatalog(): Catalog {
  if (!active) throw new Error('catalog not loaded');
  return active;
}
