import { Injectable } from '@nestjs/common';
import { type ValidationArguments, ValidatorConstraint, type ValidatorConstraintInterface } from 'class-validator';
import { CatalogService } from '../catalog/catalog.service.js';

const MAX_OVERRIDE = 1_000_000;

const isOverride = (n: unknown): boolean => Number.isInteger(n) && (n as number) >= 0 && (n as number) <= MAX_OVERRIDE;
const isPlainObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * `limit_overrides` must map limit slugs of the catalog in force to integers 0…1,000,000. A Nest
 * provider: class-validator gets it from the application's container (app.factory.ts, useContainer),
 * so the catalog is injected rather than read from a global.
 */
@ValidatorConstraint({ name: 'isLimitOverrides' })
@Injectable()
export class LimitOverridesConstraint implements ValidatorConstraintInterface {
  constructor(private readonly catalog: CatalogService) {}

  validate(v: unknown): boolean {
    if (!isPlainObject(v)) return false;
    return Object.entries(v).every(([k, n]) => this.catalog.limit(k) !== undefined && isOverride(n));
  }

  defaultMessage(args: ValidationArguments): string {
    const v: unknown = args.value;
    if (!isPlainObject(v)) return `${args.property} must be an object of LIMIT_SLUG: integer`;
    const bad = Object.entries(v).map(([k, n]) =>
      this.catalog.limit(k) === undefined ? `unknown limit slug ${k}` : !isOverride(n) ? `${k} must be an integer from 0 to ${MAX_OVERRIDE}` : null,
    );
    return bad.filter(Boolean).join('; ');
  }
}
