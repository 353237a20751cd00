import * as crypto from 'crypto';
import { v7 as uuidv7 } from 'uuid';

/**
 * Ids are opaque to clients. A work order or refund id carries its complaint's
 * id, because both live in the complaint's stream: `<complaintId>.w2`.
 */
const NAMESPACE = '6f1d3c1e-8a4b-4f60-9a57-6a8f0c2e4d11';
const NAMESPACE_BYTES = Buffer.from(NAMESPACE.replace(/-/g, ''), 'hex');
const HEX = Array.from({ length: 256 }, (_, i) => (i + 0x100).toString(16).slice(1));
/** the one-shot crypto.hash (Node 20.12+, 21.7+) where there is one: no Hash object per call */
const sha1: (data: Buffer) => Buffer = typeof crypto.hash === 'function' ? (data) => crypto.hash('sha1', data, 'buffer') : (data) => crypto.createHash('sha1').update(data).digest();

/**
 * The name-based UUID (version 5, RFC 9562) of `name` in this module's
 * namespace: the same string as uuid's v5(name, NAMESPACE), at about a
 * third of its cost (it encodes the name and parses the namespace on every
 * call). Several per command; a 10086 registration derives three.
 */
export function uuidv5(name: string): string {
  const h = sha1(Buffer.concat([NAMESPACE_BYTES, Buffer.from(name, 'utf8')]));
  h[6] = (h[6] & 0x0f) | 0x50;
  h[8] = (h[8] & 0x3f) | 0x80;
  return (
    HEX[h[0]] + HEX[h[1]] + HEX[h[2]] + HEX[h[3]] + '-' + HEX[h[4]] + HEX[h[5]] + '-' + HEX[h[6]] + HEX[h[7]] + '-' + HEX[h[8]] + HEX[h[9]] + '-' +
    HEX[h[10]] + HEX[h[11]] + HEX[h[12]] + HEX[h[13]] + HEX[h[14]] + HEX[h[15]]
  );
}

export function complaintStreamId(complaintId: string): string {
  return `complaint-${complaintId}`;
}

export function workOrderId(complaintId: string, sequence: number): string {
  return `${complaintId}.w${sequence}`;
}

export function refundId(complaintId: string, sequence: number): string {
  return `${complaintId}.r${sequence}`;
}

export function queryId(complaintId: string, sequence: number): string {
  return `${complaintId}.q${sequence}`;
}

/** The complaint a work-order or refund id belongs to; undefined when the id is not of that kind. */
export function parentComplaintId(childId: string, kind: 'w' | 'r'): string | undefined {
  const match = /^(.+)\.([wr])(\d+)$/.exec(childId);
  return match && match[2] === kind ? match[1] : undefined;
}

/**
 * The identity of one command invocation. With an Idempotency-Key it is
 * derived from the key, so a retry after a crash produces the same complaint
 * id and the same event ids, and the store recognises it; without one it is
 * fresh.
 */
export class CommandIdentity {
  private constructor(private readonly seed: string | undefined) {}

  static fromIdempotencyKey(scope: string, key: string | undefined): CommandIdentity {
    return new CommandIdentity(key === undefined ? undefined : uuidv5(`${scope}\n${key}`));
  }

  /** the id of an entity this command creates */
  newId(purpose: string): string {
    return this.seed ? uuidv5(`${this.seed}:${purpose}`) : uuidv7();
  }

  /** the id of the n-th event this command writes; time-ordered UUIDv7 unless derived from a key */
  readonly eventId = (index: number): string => (this.seed ? uuidv5(`${this.seed}:event:${index}`) : uuidv7());
}
