import { v5 as uuidv5, v7 as uuidv7 } from 'uuid';

/**
 * Ids are opaque to clients. A work order or refund id carries its complaint's
 * id, because both live in the complaint's stream: `<complaintId>.w2`.
 */
const NAMESPACE = '6f1d3c1e-8a4b-4f60-9a57-6a8f0c2e4d11';

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
    return new CommandIdentity(key === undefined ? undefined : uuidv5(`${scope}\n${key}`, NAMESPACE));
  }

  /** the id of an entity this command creates */
  newId(purpose: string): string {
    return this.seed ? uuidv5(`${this.seed}:${purpose}`, NAMESPACE) : uuidv7();
  }

  /** the id of the n-th event this command writes; time-ordered UUIDv7 unless derived from a key */
  readonly eventId = (index: number): string => (this.seed ? uuidv5(`${this.seed}:event:${index}`, NAMESPACE) : uuidv7());
}
