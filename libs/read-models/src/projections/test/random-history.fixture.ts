import {
  COMPLAINT_CATEGORIES,
  COMPLAINT_CHANNELS,
  ComplaintCommand,
  complaintDecider,
  ComplaintEvent,
  ComplaintState,
  DEFAULT_POLICY,
  isRegistered,
  pendingDeadlines,
  policyInForce,
  POLICY_BOOK,
} from '@complaints/domain';
import { RecordedEvent } from '@complaints/event-store';

/** A small seeded generator (mulberry32): the same seed gives the same history. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const BRANCHES = ['ZG', 'GX', 'HN'] as const;
const DEPARTMENTS = ['billing-center', 'support', 'customer-service', 'eoms'] as const;

export interface RandomHistoryOptions {
  seed: number;
  /** complaints registered, spread over `days` */
  complaints: number;
  days: number;
  /** the first instant (ISO-8601) */
  start: string;
}

/**
 * A history as the command pipeline would record it: random commands run
 * through the decider against each complaint's state (those it refuses are
 * dropped), deadlines fired when due, the clock moving on a few minutes at a
 * time, so complaints live across days: dispatches, forwards, returns, late
 * and on-time replies, on-site resolutions, satisfaction and reopening,
 * escalations, callbacks, refunds, reclassifications.
 */
export function randomHistory(options: RandomHistoryOptions): RecordedEvent[] {
  const random = seeded(options.seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
  const decider = complaintDecider();
  const events: RecordedEvent[] = [];
  const states = new Map<string, ComplaintState>();
  const ids: string[] = [];
  let now = Date.parse(options.start);
  const end = now + options.days * 86_400_000;
  const step = (options.days * 86_400_000) / (options.complaints * 30);

  const run = (complaintId: string, type: ComplaintCommand['type'], data: Record<string, unknown>, actor = 'desk-01') => {
    const state = states.get(complaintId) ?? decider.initialState();
    const at = new Date(now).toISOString();
    const command = { type, data: { complaintId, ...data }, context: { now: at, actor } } as ComplaintCommand;
    let decided: ComplaintEvent[];
    try {
      decided = decider.decide(command, state);
    } catch {
      return;
    }
    let next = state;
    for (const event of decided) {
      next = decider.evolve(next, event);
      events.push({
        id: `e${events.length + 1}`,
        streamId: `complaint-${complaintId}`,
        type: event.type,
        data: JSON.parse(JSON.stringify(event.data)) as unknown,
        metadata: { actor, occurredAt: at },
        revision: events.filter((e) => e.streamId === `complaint-${complaintId}`).length + 1,
        position: events.length + 1,
        recordedAt: at,
      });
    }
    states.set(complaintId, next);
  };

  while (now < end) {
    now += Math.max(1000, Math.round(random() * 2 * step));
    if (ids.length < options.complaints && random() < 1 / 30) {
      const id = `c${ids.length + 1}`;
      ids.push(id);
      run(id, 'RegisterComplaint', {
        channel: pick(COMPLAINT_CHANNELS),
        customer: { msisdn: `1380000${String(Math.floor(random() * 40)).padStart(4, '0')}`, vip: random() < 0.1, groupCustomer: random() < 0.05, accountType: 'personal' },
        branch: pick(BRANCHES),
        category: pick(COMPLAINT_CATEGORIES),
        subcategory: pick(['双重扣费', '信号差', '服务态度', undefined]),
        description: 'random',
        priorComplaints: Math.floor(random() * 4),
      });
      continue;
    }
    if (ids.length === 0) continue;
    const id = pick(ids.slice(-12));
    const state = states.get(id);
    if (!state || !isRegistered(state)) continue;
    const due = pendingDeadlines(state, policyInForce(POLICY_BOOK, state.policyVersion, DEFAULT_POLICY)).filter((d) => Date.parse(d.fireAt) <= now);
    if (due.length > 0 && random() < 0.7) {
      run(id, 'FireDeadline', { deadline: due[0] }, 'system:scheduler');
      continue;
    }
    const order = state.workOrders[state.workOrders.length - 1];
    const refund = state.refunds[state.refunds.length - 1];
    const callback = state.callbacks.find((c) => c.status === 'scheduled');
    const handler = `${order?.department ?? 'support'}-01`;
    switch (Math.floor(random() * 15)) {
      case 0:
        run(id, 'DispatchWorkOrder', { workOrderId: `${id}.w${state.workOrders.length + 1}`, department: pick(DEPARTMENTS) });
        break;
      case 1:
        if (order) run(id, 'AcceptWorkOrder', { workOrderId: order.id }, handler);
        break;
      case 2:
        if (order) run(id, 'ForwardWorkOrder', { workOrderId: order.id, department: pick(DEPARTMENTS), reason: 'not ours' }, handler);
        break;
      case 3:
      case 4:
        if (order) run(id, 'ReplyToWorkOrder', { workOrderId: order.id, opinion: 'done', resolved: random() < 0.8 }, handler);
        break;
      case 5:
        if (order) run(id, 'ReturnWorkOrder', { workOrderId: order.id, reason: 'not effective' });
        break;
      case 6:
        run(id, 'ResolveOnSite', { resolution: 'explained' });
        break;
      case 7:
        run(id, 'ReplyToCustomer', { method: 'phone', content: 'answer' });
        break;
      case 8:
        run(id, 'RecordSatisfaction', { satisfied: random() < 0.75 });
        break;
      case 9:
        run(id, 'ArchiveComplaint', {});
        break;
      case 10:
        if (callback) run(id, 'CompleteCallback', { callbackId: callback.id, outcome: pick(['satisfied', 'unsatisfied', 'unreachable'] as const) });
        else run(id, 'EscalateComplaint', { reason: 'customer insists' });
        break;
      case 11:
        if (!refund || refund.status !== 'requested') run(id, 'RequestRefund', { refundId: `${id}.r${state.refunds.length + 1}`, amountClaimedFen: 100 + Math.floor(random() * 5000) });
        else run(id, 'VerifyRefund', { refundId: refund.id, refundable: random() < 0.8, amountFen: 100 + Math.floor(random() * 3000) }, 'accounts-01');
        break;
      case 12:
        if (refund) run(id, 'ExecuteRefund', { refundId: refund.id, method: random() < 0.2 ? 'cash' : 'bill_credit', formSigned: true, idChecked: true }, 'accounts-01');
        break;
      case 13:
        run(id, 'ClassifyComplaint', { category: pick(COMPLAINT_CATEGORIES), subcategory: undefined, level: 1 });
        break;
      default:
        if (refund?.status === 'verified') run(id, 'ApproveCashRefund', { refundId: refund.id }, 'duty-manager');
    }
  }
  return events;
}

/** JSON text with the keys of every object sorted: the same text for the same value, whatever order its keys were made in */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
  );
}

/**
 * A read-model row as tests compare it: a folded state (complaint_states)
 * canonical, since the order of its keys in the stored text depends on
 * where the batches that made it began (and is no part of the state)
 */
export function comparableRow<Row extends Record<string, unknown>>(table: string, row: Row): Row {
  return table === 'complaint_states' && typeof row.state === 'string' ? { ...row, state: canonicalJson(JSON.parse(row.state)) } : row;
}
