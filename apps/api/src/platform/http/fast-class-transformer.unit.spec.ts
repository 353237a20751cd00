import 'reflect-metadata';
import { plainToInstance } from 'class-transformer';
import { getMetadataStorage } from 'class-validator';
import { fastPathCovers, fastPlainToInstance } from './fast-class-transformer';
// every module of the API that declares request DTOs
import '../../handovers/hand-over.request.dto';
import '../../test-clock/test-clock.http.controller';
import '../../sign-in/sign-in.request.dto';
import '../../kafka/callcenter-complaint.message';
import '../../complaints/dto/refund-commands.request.dto';
import '../../complaints/dto/work-order-commands.request.dto';
import '../../complaints/dto/complaint-commands.request.dto';
import '../../complaints/dto/register-complaint.request.dto';
import '../../privacy/personal-data-reads.http.controller';
import '../../queries/console-queries.request.dto';
import '../../queries/record-measure.request.dto';
import '../../queries/query.request.dto';

type Ctor = new () => object;

/** every class class-validator knows a rule of */
function dtoClasses(): Ctor[] {
  const metadatas = (getMetadataStorage() as unknown as { validationMetadatas: Map<Ctor, unknown[]> }).validationMetadatas;
  return [...metadatas.keys()].filter((target): target is Ctor => typeof target === 'function');
}

/** the same structure, class for class, key for key, value for value */
function shapeOf(value: unknown): unknown {
  if (Array.isArray(value)) return { array: value.map(shapeOf) };
  if (typeof value === 'object' && value !== null) {
    const proto = Object.getPrototypeOf(value) as { constructor?: { name?: string } } | null;
    return { class: proto?.constructor?.name ?? null, own: Object.keys(value).map((k) => [k, shapeOf((value as Record<string, unknown>)[k])]) };
  }
  return { value };
}

/** values of every kind for each property the class declares, nested ones included, good and bad */
function payloadsFor(cls: Ctor): unknown[] {
  const instance = new cls() as Record<string, unknown>;
  const keys = Object.keys(instance);
  const kinds: unknown[] = ['x', '', 7, 0, true, null, [], ['a', 1], {}, { a: { b: [1, { c: 2 }] } }, [{}, { z: 1 }], [null], '2026-10-01T00:00:00Z'];
  const payloads: unknown[] = [{}, { unknown: 1, nested: { deep: ['x'] } }, { __proto__: { polluted: true } }, JSON.parse('{"constructor":{"prototype":{"x":1}},"__proto__":{"y":1}}')];
  for (const kind of kinds) payloads.push(Object.fromEntries(keys.map((k) => [k, kind])));
  for (const [i, key] of keys.entries()) for (const kind of kinds) payloads.push({ [key]: kind, [keys[(i + 1) % keys.length] ?? 'other']: 'y' });
  return payloads;
}

describe('fastPlainToInstance', () => {
  const classes = dtoClasses();

  it('finds the request DTOs', () => {
    expect(classes.length).toBeGreaterThan(20);
    expect(classes.map((c) => c.name)).toEqual(expect.arrayContaining(['RegisterComplaintRequest']));
  });

  it('takes on the body DTOs itself (and leaves the query DTOs, which convert to numbers, to class-transformer)', () => {
    const covered = classes.filter((c) => fastPathCovers(c)).map((c) => c.name);
    expect(covered).toEqual(expect.arrayContaining(['RegisterComplaintRequest']));
    expect(covered.length).toBeGreaterThan(classes.length / 2);
  });

  it('builds what class-transformer builds, for every DTO class and every kind of value in every property', () => {
    let compared = 0;
    for (const cls of classes) {
      for (const payload of payloadsFor(cls)) {
        const copy = JSON.parse(JSON.stringify(payload)) as unknown;
        expect({ cls: cls.name, payload, result: shapeOf(fastPlainToInstance(cls, copy)) }).toEqual({ cls: cls.name, payload, result: shapeOf(plainToInstance(cls, payload)) });
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(1000);
  });

  it('builds a registration as class-transformer does, nested DTOs included', () => {
    const cls = classes.find((c) => c.name === 'RegisterComplaintRequest')!;
    const body = {
      channel: 'hall',
      branch: 'ZG',
      customer: { msisdn: '13800138000', name: '张三', vip: true },
      category: 'billing',
      description: '话费多扣',
      extra: [{ a: 1 }],
    };
    const fast = fastPlainToInstance(cls, JSON.parse(JSON.stringify(body)));
    expect(shapeOf(fast)).toEqual(shapeOf(plainToInstance(cls, body)));
    expect((fast as { customer: object }).customer.constructor.name).not.toBe('Object');
  });

  it('leaves options, arrays and non-plain values to class-transformer', () => {
    const cls = classes.find((c) => c.name === 'RegisterComplaintRequest')!;
    expect(Array.isArray(fastPlainToInstance(cls, [{ branch: 'ZG' }]))).toBe(true);
    expect(fastPlainToInstance(cls, 'text' as unknown as object)).toEqual(plainToInstance(cls, 'text' as unknown as object));
  });
});
