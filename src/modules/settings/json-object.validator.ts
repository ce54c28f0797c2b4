import { registerDecorator, type ValidationArguments, type ValidationOptions } from 'class-validator';

export interface JsonObjectLimits {
  /** Serialised size limit in bytes (UTF-8). */
  maxBytes: number;
  /** Nesting limit; the object itself is depth 1. */
  maxDepth: number;
}

/**
 * Why a value is not a storable plain JSON object within the limits, or undefined when it is. Keys that start
 * with `$` or contain `.` are refused because MongoDB (and FerretDB) treat them as operators or paths.
 */
export function jsonObjectProblem(value: unknown, limits: JsonObjectLimits): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return 'must be an object';
  }
  const walk = (v: unknown, depth: number): string | undefined => {
    if (v === null || typeof v === 'string' || typeof v === 'boolean') {
      return undefined;
    }
    if (typeof v === 'number') {
      return Number.isFinite(v) ? undefined : 'must hold finite numbers only';
    }
    if (typeof v !== 'object') {
      return 'must hold JSON values only';
    }
    if (depth > limits.maxDepth) {
      return `must not nest deeper than ${limits.maxDepth} levels`;
    }
    if (Array.isArray(v)) {
      for (const item of v) {
        const p = walk(item, depth + 1);
        if (p) {
          return p;
        }
      }
      return undefined;
    }
    for (const [k, item] of Object.entries(v as Record<string, unknown>)) {
      if (k.startsWith('$') || k.includes('.') || k.length === 0 || k.length > 128) {
        return `has an invalid key "${k.slice(0, 40)}" (1-128 characters, no "$" prefix, no ".")`;
      }
      const p = walk(item, depth + 1);
      if (p) {
        return p;
      }
    }
    return undefined;
  };
  const problem = walk(value, 1);
  if (problem) {
    return problem;
  }
  const bytes = Buffer.byteLength(JSON.stringify(value), 'utf8');
  return bytes > limits.maxBytes ? `must be at most ${limits.maxBytes} bytes as JSON (got ${bytes})` : undefined;
}

/** A plain JSON object within size and depth limits, with keys MongoDB can store. */
export function IsJsonObject(limits: JsonObjectLimits, options?: ValidationOptions): PropertyDecorator {
  return (target: object, propertyName: string | symbol) => {
    registerDecorator({
      name: 'isJsonObject',
      target: target.constructor,
      propertyName: propertyName as string,
      options,
      validator: {
        validate: (value: unknown) => jsonObjectProblem(value, limits) === undefined,
        defaultMessage: (args: ValidationArguments) =>
          `${args.property} ${jsonObjectProblem(args.value, limits) ?? 'is invalid'}`,
      },
    });
  };
}
