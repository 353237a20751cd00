import 'reflect-metadata';
import { IsInt, IsString, MetadataStorage, validateSync, ValidateNested } from 'class-validator';
import { plainToInstance, Type } from 'class-transformer';
import { cacheValidationMetadata } from './validation-metadata.cache';

class Inner {
  @IsInt() n!: number;
}
class Outer {
  @IsString() name!: string;
  @ValidateNested() @Type(() => Inner) inner!: Inner;
}
class Child extends Outer {
  @IsString() extra!: string;
}

describe('cacheValidationMetadata', () => {
  it('answers each class as class-validator does, once', () => {
    const storage = new MetadataStorage();
    const calls: unknown[] = [];
    const original = storage.getTargetValidationMetadatas.bind(storage);
    storage.getTargetValidationMetadatas = (...args) => {
      calls.push(args[0]);
      return original(...args);
    };
    cacheValidationMetadata(storage);
    const first = storage.getTargetValidationMetadatas(Outer, '', false, false);
    const again = storage.getTargetValidationMetadatas(Outer, '', false, false);
    expect(again).toBe(first);
    expect(calls).toEqual([Outer]);
    storage.getTargetValidationMetadatas(Outer, '', false, false, ['g']);
    expect(calls).toEqual([Outer, Outer]);
    expect(storage.groupByPropertyName(first)).toBe(storage.groupByPropertyName(first));
  });

  it('forgets when new metadata is registered', () => {
    const storage = new MetadataStorage();
    cacheValidationMetadata(storage);
    const before = storage.getTargetValidationMetadatas(Outer, '', false, false);
    expect(before).toEqual([]);
    const real = (jest.requireActual('class-validator') as typeof import('class-validator')).getMetadataStorage();
    for (const metadata of real.getTargetValidationMetadatas(Outer, '', false, false)) storage.addValidationMetadata(metadata);
    expect(storage.getTargetValidationMetadatas(Outer, '', false, false).length).toBeGreaterThan(0);
  });

  it('validation gives the same errors with the cache as without, inherited and nested properties included', () => {
    const bad = { name: 1, inner: { n: 'x' }, extra: 2 };
    const without = validateSync(plainToInstance(Child, bad));
    cacheValidationMetadata();
    const withCache = validateSync(plainToInstance(Child, bad));
    const withCacheAgain = validateSync(plainToInstance(Child, bad));
    const shape = (errors: typeof without) => JSON.stringify(errors.map((e) => [e.property, e.constraints, e.children?.map((c) => [c.property, c.constraints])]));
    expect(shape(withCache)).toBe(shape(without));
    expect(shape(withCacheAgain)).toBe(shape(without));
    expect(without.map((e) => e.property).sort()).toEqual(['extra', 'inner', 'name']);
  });
});
