import { complaintDecider, ComplaintCommand, DEFAULT_POLICY, initialComplaintState } from '@complaints/domain';
import { PrincipalToSign } from '../apps/api/src/platform/auth';

/** The desk agent of the e2e scenarios: may register complaints of branch ZG. */
export const AGENT = { sub: 'desk-007', role: 'agent', branch: 'ZG' } as const satisfies PrincipalToSign;

/** An 11-digit mainland number, different for each n (mod 10^8). */
export function msisdnFor(n: number): string {
  return `138${String(n % 100_000_000).padStart(8, '0')}`;
}

/** The body of `POST /api/complaints`, as the e2e tests send it. */
export function registerBody(msisdn: string) {
  return {
    channel: 'business_hall' as const,
    customer: { msisdn, name: '张三', vip: false, groupCustomer: false, accountType: 'personal' as const },
    branch: 'ZG',
    hall: 'ZG-01',
    category: 'billing' as const,
    subcategory: 'double charge',
    description: 'Charged twice for the October data package.',
    contact: { phone: msisdn, preferredMethod: 'phone' as const },
  };
}

export type RegisterBody = ReturnType<typeof registerBody>;

/** The data of the RegisterComplaint command the controller builds from a body. */
export function registerData(complaintId: string, body: RegisterBody) {
  return {
    complaintId,
    channel: body.channel,
    customer: { ...body.customer },
    branch: body.branch,
    hall: body.hall,
    category: body.category,
    subcategory: body.subcategory,
    description: body.description,
    contact: body.contact,
    priorComplaints: 0,
  };
}

/** A row of the events table, as the event store writes it. */
export interface EventRowValues {
  streamId: string;
  eventId: string;
  type: string;
  data: string;
  metadata: string;
}

const decider = complaintDecider(DEFAULT_POLICY);

/**
 * The ComplaintRegistered row the system would write for this body: the
 * domain's own decider makes the event, so the raw baselines store JSON of
 * exactly the system's size.
 */
export function registeredRow(complaintId: string, eventId: string, body: RegisterBody, now: string): EventRowValues {
  const command: ComplaintCommand = { type: 'RegisterComplaint', data: registerData(complaintId, body), context: { now, actor: AGENT.sub } };
  const [event] = decider.decide(command, initialComplaintState());
  return {
    streamId: `complaint-${complaintId}`,
    eventId,
    type: event.type,
    data: JSON.stringify(event.data),
    metadata: JSON.stringify({ actor: AGENT.sub, role: AGENT.role, occurredAt: now }),
  };
}
