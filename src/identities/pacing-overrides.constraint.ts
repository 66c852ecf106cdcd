import { Injectable } from '@nestjs/common';
import { type ValidationArguments, ValidatorConstraint, type ValidatorConstraintInterface } from 'class-validator';
import { MAX_GAP_SECONDS } from '../catalog/catalog-file.js';
import { CatalogService } from '../catalog/catalog.service.js';

const isGap = (n: unknown): boolean => Number.isInteger(n) && (n as number) >= 0 && (n as number) <= MAX_GAP_SECONDS;
const isPlainObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * `pacing_overrides` maps limit slugs of the catalog in force to gaps in seconds (0…86,400; 0 turns
 * that limit's gap off). A Nest provider, like LimitOverridesConstraint: the catalog is injected.
 */
@ValidatorConstraint({ name: 'isPacingOverrides' })
@Injectable()
export class PacingOverridesConstraint implements ValidatorConstraintInterface {
  constructor(private readonly catalog: CatalogService) {}

  validate(v: unknown): boolean {
    if (!isPlainObject(v)) return false;
    return Object.entries(v).every(([k, n]) => this.catalog.limit(k) !== undefined && isGap(n));
  }

  defaultMessage(args: ValidationArguments): string {
    const v: unknown = args.value;
    if (!isPlainObject(v)) return `${args.property} must be an object of LIMIT_SLUG: seconds`;
    const bad = Object.entries(v).map(([k, n]) =>
      this.catalog.limit(k) === undefined
        ? `unknown limit slug ${k}`
        : !isGap(n)
          ? `${k} must be an integer number of seconds from 0 to ${MAX_GAP_SECONDS} (0 disables the gap)`
          : null,
    );
    return bad.filter(Boolean).join('; ');
  }
}
