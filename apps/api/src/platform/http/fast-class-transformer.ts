import * as classTransformer from 'class-transformer';
import type { ClassConstructor, ClassTransformOptions } from 'class-transformer';
// the storage class-transformer's decorators write to, from the CommonJS build its main entry loads (the same instance)
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { defaultMetadataStorage } = require('class-transformer/cjs/storage') as { defaultMetadataStorage: unknown };

/** The part of class-transformer's metadata storage this reads (its public lookups). */
interface TypeMetadata {
  typeFunction?: (options?: unknown) => unknown;
  reflectedType?: unknown;
  options?: { discriminator?: unknown };
}
interface Storage {
  getStrategy(target: unknown): string;
  getExposedMetadatas(target: unknown): unknown[];
  getExcludedMetadatas(target: unknown): unknown[];
  findTypeMetadata(target: unknown, propertyName: string): TypeMetadata | undefined;
  findTransformMetadatas(target: unknown, propertyName: string, transformationType: number): unknown[];
}
const storage = defaultMetadataStorage as unknown as Storage;

/** The types class-transformer converts a value to rather than building an instance. */
const VALUE_TYPES: readonly unknown[] = [String, Number, Boolean, Date, Buffer, Object, Array, Map, Set, Promise];

/** A DTO class as the fast path builds it: its nested classes by property. */
interface Plan {
  nested: Map<string, ClassConstructor<object>>;
}

/**
 * `plainToInstance` for the API's request DTOs, several times cheaper than
 * class-transformer's generic walk (which looks up the metadata of every key
 * of every object again on each call), with the same result for what it
 * takes on:
 *
 * - a class whose only class-transformer decorators are `@Type(() => Class)`
 *   to other such classes (no `@Expose`, `@Exclude`, `@Transform`, no
 *   discriminators, no conversion to a value type such as Number or Date) and
 *   whose prototype has no members besides its constructor;
 * - a value that is a plain object parsed from JSON, whose typed properties
 *   hold plain objects or arrays of them.
 *
 * The result is a new instance of the class with every own key of the value
 * except `__proto__` and `constructor` (class-transformer's "exposeAll"),
 * each typed property an instance (or array of instances) of its class, and
 * every other object or array copied deeply. Anything else, and any call with
 * options, goes to class-transformer itself. A unit test compares the two on
 * every DTO class of the API.
 */
export function fastPlainToInstance<T>(cls: ClassConstructor<T>, plain: unknown, options?: ClassTransformOptions): T | T[] {
  if (options === undefined && isPlainObject(plain)) {
    const built = build(cls as ClassConstructor<object>, plain);
    if (built !== FALLBACK) return built as T;
  }
  return classTransformer.plainToInstance(cls, plain, options);
}

/** class-transformer's package, with the fast `plainToInstance`: the `transformerPackage` of Nest's ValidationPipe */
export const fastTransformerPackage = { ...classTransformer, plainToInstance: fastPlainToInstance };

const FALLBACK = Symbol('fallback');
const plans = new Map<unknown, Plan | null>();

function build(cls: ClassConstructor<object>, plain: Record<string, unknown>): object | typeof FALLBACK {
  const plan = planOf(cls);
  if (plan === null) return FALLBACK;
  const instance = new cls() as Record<string, unknown>;
  for (const key of Object.keys(plain)) {
    if (key === '__proto__' || key === 'constructor') continue;
    const value = plain[key];
    const nested = plan.nested.get(key);
    if (nested === undefined) {
      instance[key] = copy(value);
    } else if (isPlainObject(value)) {
      const built = build(nested, value);
      if (built === FALLBACK) return FALLBACK;
      instance[key] = built;
    } else if (Array.isArray(value)) {
      const items: object[] = [];
      for (const item of value) {
        if (!isPlainObject(item)) return FALLBACK;
        const built = build(nested, item);
        if (built === FALLBACK) return FALLBACK;
        items.push(built);
      }
      instance[key] = items;
    } else {
      return FALLBACK;
    }
  }
  return instance;
}

/** a deep copy of an untyped JSON value, as class-transformer makes it */
function copy(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(copy);
  if (isPlainObject(value)) {
    const copied: Record<string, unknown> = {};
    for (const key of Object.keys(value)) if (key !== '__proto__' && key !== 'constructor') copied[key] = copy(value[key]);
    return copied;
  }
  return value;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype;
}

/** what the fast path needs to know of a class, or null when it leaves the class to class-transformer */
function planOf(cls: ClassConstructor<object>): Plan | null {
  let plan = plans.get(cls);
  if (plan !== undefined) return plan;
  plans.set(cls, null); // while a cycle of nested classes is being planned
  plan = makePlan(cls);
  plans.set(cls, plan);
  return plan;
}

function makePlan(cls: ClassConstructor<object>): Plan | null {
  if (storage.getStrategy(cls) !== 'none' || storage.getExposedMetadatas(cls).length > 0 || storage.getExcludedMetadatas(cls).length > 0) return null;
  for (let proto = cls.prototype as object | null; proto !== null && proto !== Object.prototype; proto = Object.getPrototypeOf(proto) as object | null) {
    if (Object.getOwnPropertyNames(proto).some((name) => name !== 'constructor')) return null;
  }
  const nested = new Map<string, ClassConstructor<object>>();
  for (const property of declaredProperties(cls)) {
    // any @Transform in any direction: left to class-transformer
    if ([0, 1, 2].some((direction) => storage.findTransformMetadatas(cls, property, direction).length > 0)) return null;
    const type = storage.findTypeMetadata(cls, property);
    if (type === undefined) continue;
    if (type.options?.discriminator !== undefined || type.reflectedType === Map || type.reflectedType === Set || type.typeFunction === undefined) return null;
    const target = type.typeFunction();
    if (typeof target !== 'function' || VALUE_TYPES.includes(target)) return null;
    if (planOf(target as ClassConstructor<object>) === null && plans.get(target) === null && target !== cls) return null;
    nested.set(property, target as ClassConstructor<object>);
  }
  return { nested };
}

/** every property name class-transformer holds metadata for, on the class and its ancestors */
function declaredProperties(cls: ClassConstructor<object>): Set<string> {
  const names = new Set<string>();
  const maps = defaultMetadataStorage as unknown as Record<string, Map<unknown, Map<string, unknown>>>;
  for (let target: unknown = cls; typeof target === 'function' && target !== Function.prototype; target = Object.getPrototypeOf(target)) {
    for (const field of ['_typeMetadatas', '_transformMetadatas', '_exposeMetadatas', '_excludeMetadatas']) {
      for (const name of maps[field]?.get(target)?.keys() ?? []) names.add(name);
    }
  }
  return names;
}

/** whether the fast path builds instances of `cls` itself (for tests) */
export function fastPathCovers(cls: ClassConstructor<object>): boolean {
  return planOf(cls) !== null;
}
