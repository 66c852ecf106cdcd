import { getMetadataStorage, type ValidationArguments } from 'class-validator';

/**
 * Compiled validation for hot request bodies (issue 18). A class marked `@CompiledBody()` is checked
 * by a function built once from its own class-validator decorators: the same constraint objects,
 * called with the same arguments, in a flat loop without class-transformer, metadata lookups,
 * ValidationError trees or promises. It only answers "valid" or "not sure": a body it does not pass
 * (a bad value, an unknown or nested field, not an object) goes through the ValidationPipe as
 * before, so every 400 (its `details`, labels and messages) is the one class-validator gives.
 *
 * Only for flat DTOs: properties of primitives or arrays of primitives, no class-transformer
 * decorators (@Type, @Transform, @Expose), no nested validation, groups, `validateIf` or async
 * constraints (a class using one of those is refused when first checked).
 */

type Check = (value: unknown, object: object) => boolean;

interface CompiledProperty {
  name: string;
  /** IsOptional / ValidateIf: the value is checked only when every one of these says so. */
  conditions: ((object: object, value: unknown) => boolean)[];
  checks: Check[];
}

const marked = new WeakSet<object>();
const compiled = new WeakMap<object, (value: unknown) => object | null>();

/** Marks a body DTO for compiled validation (see above). */
export function CompiledBody(): ClassDecorator {
  return (target) => {
    marked.add(target);
  };
}

function isPrimitive(v: unknown): boolean {
  return v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
}

function compile(metatype: new () => object): (value: unknown) => object | null {
  const storage = getMetadataStorage();
  // The metadata class-validator itself uses for this class (inherited properties included).
  const metadatas = storage.getTargetValidationMetadatas(metatype, '', false, false, undefined);
  const byName = new Map<string, CompiledProperty>();
  for (const m of metadatas) {
    const where = `${metatype.name}.${m.propertyName}`;
    if (m.groups?.length || m.always || m.validateIf) throw new Error(`@CompiledBody: ${where} uses groups, always or validateIf`);
    let p = byName.get(m.propertyName);
    if (!p) byName.set(m.propertyName, (p = { name: m.propertyName, conditions: [], checks: [] }));
    if (m.type === 'conditionalValidation') {
      p.conditions.push(m.constraints[0] as (object: object, value: unknown) => boolean);
    } else if (m.type === 'customValidation') {
      const constraints = storage.getTargetValidatorConstraints(m.constraintCls);
      if (constraints.length !== 1 || constraints[0].async) throw new Error(`@CompiledBody: ${where} has an async or composite constraint`);
      const instance = constraints[0].instance;
      const each = m.each === true;
      const property = m.propertyName;
      const args = m.constraints;
      const targetName = metatype.name;
      const one = (v: unknown, object: object) => {
        const a: ValidationArguments = { targetName, property, object, value: v, constraints: args };
        return instance.validate(v, a) === true;
      };
      p.checks.push(
        each
          ? // class-validator checks each item with the array as the arguments' value.
            (v, object) => {
              if (!Array.isArray(v)) return one(v, object);
              for (const item of v) {
                const a: ValidationArguments = { targetName, property, object, value: v, constraints: args };
                if (instance.validate(item, a) !== true) return false;
              }
              return true;
            }
          : one,
      );
    } else if (m.type !== 'whitelistValidation') {
      throw new Error(`@CompiledBody: ${where} uses ${m.type}`);
    }
  }
  const properties = [...byName.values()];
  const known = new Set(byName.keys());
  return (value: unknown): object | null => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
    const body = value as Record<string, unknown>;
    for (const k in body) {
      if (!known.has(k)) return null;
      const v = body[k];
      if (!isPrimitive(v) && !(Array.isArray(v) && v.every(isPrimitive))) return null;
    }
    // As class-transformer builds it for a flat body: a new instance with the body's own fields.
    const instance = Object.assign(new metatype(), body);
    for (const p of properties) {
      const v = (instance as Record<string, unknown>)[p.name];
      let run = true;
      for (const c of p.conditions) if (!c(instance, v)) run = false;
      if (!run) continue;
      for (const check of p.checks) if (!check(v, instance)) return null;
    }
    return instance;
  };
}

/**
 * The body as an instance of `metatype` when it is valid by the compiled check, else null (not
 * compiled, or not valid: the ValidationPipe decides and words the 400).
 */
export function compiledBody(metatype: unknown, value: unknown): object | null {
  if (typeof metatype !== 'function' || !marked.has(metatype)) return null;
  let check = compiled.get(metatype);
  if (!check) compiled.set(metatype, (check = compile(metatype as new () => object)));
  return check(value);
}
