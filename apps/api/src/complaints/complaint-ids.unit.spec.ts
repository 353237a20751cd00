import { v5 } from 'uuid';
import { CommandIdentity, uuidv5 } from './complaint-ids';

const NAMESPACE = '6f1d3c1e-8a4b-4f60-9a57-6a8f0c2e4d11';

describe('complaint ids', () => {
  it("derive the same name-based UUIDs as uuid's v5, whatever the name", () => {
    const names = ['', 'a', 'system:callcenter-10086\nCC20261128-0000001', '张伟\n😀', 'x'.repeat(1000)];
    for (let i = 0; i < 500; i++) names.push(`${i}:${Math.random().toString(36)}:${String.fromCharCode(0x4e00 + i)}`);
    for (const name of names) expect(uuidv5(name)).toBe(v5(name, NAMESPACE));
  });

  it('are the same for the same idempotency key, and fresh without one', () => {
    const a = CommandIdentity.fromIdempotencyKey('desk-007', 'key-1');
    const b = CommandIdentity.fromIdempotencyKey('desk-007', 'key-1');
    expect(a.newId('complaint')).toBe(b.newId('complaint'));
    expect(a.eventId(0)).toBe(b.eventId(0));
    expect(a.newId('complaint')).toBe(v5(`${v5('desk-007\nkey-1', NAMESPACE)}:complaint`, NAMESPACE));
    expect(a.eventId(1)).toBe(v5(`${v5('desk-007\nkey-1', NAMESPACE)}:event:1`, NAMESPACE));
    const fresh = CommandIdentity.fromIdempotencyKey('desk-007', undefined);
    expect(fresh.newId('complaint')).not.toBe(fresh.newId('complaint'));
  });
});
