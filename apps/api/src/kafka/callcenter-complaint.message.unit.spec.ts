import * as classTransformer from 'class-transformer';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { CustomerDto } from '../complaints/dto/register-complaint.request.dto';
import { CallCenterComplaintMessage, parseCallCenterMessage, toMessageInstance } from './callcenter-complaint.message';
import { callcenterTraffic } from './callcenter-traffic';

const valid = {
  ticketNo: 'CC20261102-0000017',
  receivedAt: '2026-11-02T01:02:03.000Z',
  customer: { msisdn: '13812345678', name: '张伟', vip: false, groupCustomer: false, accountType: 'personal' },
  branch: 'ZG',
  category: 'billing',
  subcategory: '双重扣费',
  description: '客户反映10月流量包被重复扣费两次，共30.00元。',
  channel: '10086',
};
const parse = (value: unknown) => parseCallCenterMessage(Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)));

describe('a 10086 message', () => {
  it('is taken when it is what API.md says', async () => {
    const parsed = await parse(valid);
    expect(parsed).toEqual({ ok: true, message: expect.objectContaining({ ticketNo: valid.ticketNo, channel: '10086', customer: expect.objectContaining({ msisdn: '13812345678' }) }) });
  });

  it('needs only what the HTTP registration needs, plus the ticket number and a call-center channel', async () => {
    const { receivedAt: _r, subcategory: _s, ...minimal } = valid;
    expect((await parse({ ...minimal, customer: { msisdn: '13812345678' } })).ok).toBe(true);
  });

  it.each([
    ['not JSON', '{"ticketNo": "A-1", "cust', /^the value is not JSON: /],
    ['JSON but not an object', '"a string"', /not an object \(string\)/],
    ['an array', '[]', /not an object \(an array\)/],
    ['empty', '', /has no value/],
  ])('is refused when it is %s', async (_what, value, why) => {
    expect(await parse(value)).toEqual({ ok: false, error: expect.stringMatching(why) });
  });

  it('is refused with every bad field named once, as the HTTP API names them', async () => {
    const parsed = await parse({ ...valid, customer: { ...valid.customer, msisdn: '12345' }, category: 'fees', channel: 'business_hall', hall: 'ZG-01' });
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.ticketNo).toBe(valid.ticketNo);
    expect(parsed.error).toMatch(/^the message is invalid: /);
    for (const field of ['customer.msisdn: msisdn must be an 11-digit', 'category: ', 'channel: ', 'property hall should not exist']) expect(parsed.error).toContain(field);
  });

  it('is refused without a ticket number, or with a receivedAt that is not a time', async () => {
    const { ticketNo: _t, ...noTicket } = valid;
    expect(await parse(noTicket)).toEqual({ ok: false, error: expect.stringContaining('ticketNo: ticketNo must be the ticket number') });
    expect(await parse({ ...valid, receivedAt: 'yesterday' })).toEqual({ ok: false, ticketNo: valid.ticketNo, error: expect.stringContaining('receivedAt must be an ISO-8601 time') });
  });

  it('is made into the same instance, and judged the same, as class-transformer would make it', async () => {
    const options = { whitelist: true, forbidNonWhitelisted: true, validationError: { target: false, value: false } };
    const traffic = [...callcenterTraffic({ count: 300, duplicates: 0, malformed: 0.3, ticketPrefix: 'T-', seed: 'instances' })].map((m) => m.value);
    const odd = [
      { ...valid, customer: null },
      { ...valid, customer: [valid.customer] },
      { ...valid, customer: 'x' },
      { ...valid, customer: { ...valid.customer, extra: 1 } },
      { ...valid, customer: { ...valid.customer, name: { first: '伟' } } },
      { ...valid, customer: { ...valid.customer, vip: 'yes', msisdn: 13812345678 } },
      { ...valid, branch: ['ZG'] },
      { ...valid, description: { text: 'x' } },
      { ...valid, hall: 'ZG-01' },
      { ...valid, receivedAt: null },
      JSON.parse(`{"ticketNo":"A-1","__proto__":{"x":1},"customer":{"msisdn":"13812345678"}}`),
      { ticketNo: 'A-2' },
    ].map((v) => JSON.stringify(v));
    for (const value of [...traffic, ...odd]) {
      let json: unknown;
      try {
        json = JSON.parse(value);
      } catch {
        continue;
      }
      const fast = toMessageInstance(json as Record<string, unknown>);
      const slow = plainToInstance(CallCenterComplaintMessage, json as Record<string, unknown>);
      expect(Object.getPrototypeOf(fast)).toBe(Object.getPrototypeOf(slow));
      expect(fast).toEqual(slow);
      if (slow.customer instanceof CustomerDto) expect(fast.customer).toBeInstanceOf(CustomerDto);
      expect(await validate(fast, options)).toEqual(await validate(slow, options));
    }
  });

  it('takes the short way for the usual message', async () => {
    const spy = jest.spyOn(classTransformer, 'plainToInstance');
    try {
      for (const m of callcenterTraffic({ count: 50, duplicates: 0, malformed: 0, ticketPrefix: 'U-', seed: 'usual' })) expect((await parseCallCenterMessage(Buffer.from(m.value))).ok).toBe(true);
      expect(spy).not.toHaveBeenCalled();
      await parse({ ...valid, hall: 'ZG-01' });
      expect(spy).toHaveBeenCalledTimes(1);
    } finally {
      spy.mockRestore();
    }
  });
});
