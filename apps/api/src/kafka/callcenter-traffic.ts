import { ComplaintCategory } from '@complaints/domain';
import { BRANCHES, CATEGORIES, companyName, complaintStory, MSISDN_PREFIXES, personName, SUBCATEGORIES } from '../demo/demo-catalog';
import { Rng } from '../demo/prng';
import { CALLCENTER_CHANNELS } from './callcenter-complaint.message';

/**
 * Realistic 10086 traffic for `callcenter.complaints.v1` (npm run
 * callcenter:simulate, and the Kafka tests): tickets of the hotline, green-net
 * transfers, the GM hotline and special channels, with Chinese names,
 * mainland MSISDNs (some customers call again), the categories and
 * sub-categories of DOMAIN.md, redeliveries of tickets already sent, and
 * malformed messages of the kinds a real integration sees.
 */

export interface TrafficOptions {
  /** messages in all, duplicates and malformed ones included */
  count: number;
  /** share of the messages that repeat a ticket already sent (a redelivery) */
  duplicates: number;
  /** share of the messages that are malformed */
  malformed: number;
  /** ticket numbers are `<ticketPrefix><sequence>`: unique per run */
  ticketPrefix: string;
  seed: string;
  /** receivedAt of the messages; default now */
  now?: () => Date;
}

export const MALFORMED_KINDS = ['not_json', 'missing_ticket', 'bad_msisdn', 'unknown_category', 'unknown_channel', 'empty_description', 'unknown_field'] as const;
export type MalformedKind = (typeof MALFORMED_KINDS)[number];

export type TrafficMessage =
  | { kind: 'ticket'; key: string; value: string; ticketNo: string }
  | { kind: 'duplicate'; key: string; value: string; ticketNo: string }
  | { kind: 'malformed'; key: string; value: string; malformed: MalformedKind; ticketNo?: string };

const CHANNEL_WEIGHTS: ReadonlyArray<readonly [(typeof CALLCENTER_CHANNELS)[number], number]> = [
  ['10086', 80],
  ['green_net', 10],
  ['gm_hotline', 5],
  ['special', 5],
];

/** a customer who calls more than once: a pool of numbers the traffic comes back to */
const REPEAT_POOL = 200;
const REPEAT_SHARE = 0.08;

function msisdn(rng: Rng): string {
  let rest = '';
  for (let i = 0; i < 8; i++) rest += String(rng.int(0, 9));
  return rng.pick(MSISDN_PREFIXES) + rest;
}

/** The messages in sending order; deterministic for one seed and prefix (apart from receivedAt). */
export function* callcenterTraffic(options: TrafficOptions): Generator<TrafficMessage> {
  const rng = new Rng(options.seed, 'callcenter');
  const now = options.now ?? (() => new Date());
  const repeaters = Array.from({ length: REPEAT_POOL }, () => msisdn(rng));
  const sent: { ticketNo: string; value: string }[] = [];
  let sequence = 0;
  for (let i = 0; i < options.count; i++) {
    const draw = rng.float();
    if (draw < options.malformed) {
      yield malformedMessage(rng, options.ticketPrefix, ++sequence, now());
      continue;
    }
    if (draw < options.malformed + options.duplicates && sent.length > 0) {
      // mostly a recent ticket (a retry of the call-center system), sometimes an old one (a replay)
      const index = rng.chance(0.8) ? Math.max(0, sent.length - 1 - rng.int(0, 20)) : rng.int(0, sent.length - 1);
      const original = sent[index];
      yield { kind: 'duplicate', key: original.ticketNo, value: original.value, ticketNo: original.ticketNo };
      continue;
    }
    const ticketNo = `${options.ticketPrefix}${String(++sequence).padStart(7, '0')}`;
    const value = JSON.stringify(ticket(rng, ticketNo, now(), rng.chance(REPEAT_SHARE) ? rng.pick(repeaters) : msisdn(rng)));
    sent.push({ ticketNo, value });
    yield { kind: 'ticket', key: ticketNo, value, ticketNo };
  }
}

function ticket(rng: Rng, ticketNo: string, receivedAt: Date, number: string): Record<string, unknown> {
  const category: ComplaintCategory = rng.weighted(CATEGORIES);
  const subcategory = rng.weighted(SUBCATEGORIES[category]);
  const story = complaintStory(subcategory, receivedAt.getUTCMonth() + 1, undefined, rng);
  const groupCustomer = rng.chance(0.04);
  const corporate = groupCustomer && rng.chance(0.7);
  return {
    ticketNo,
    receivedAt: receivedAt.toISOString(),
    customer: {
      msisdn: number,
      name: corporate ? companyName(rng) : personName(rng),
      vip: rng.chance(0.06),
      groupCustomer,
      accountType: corporate ? 'corporate' : 'personal',
    },
    branch: rng.weighted(BRANCHES),
    category,
    subcategory,
    description: story.description,
    channel: rng.weighted(CHANNEL_WEIGHTS),
  };
}

function malformedMessage(rng: Rng, prefix: string, sequence: number, receivedAt: Date): TrafficMessage {
  const ticketNo = `${prefix}${String(sequence).padStart(7, '0')}`;
  const kind = rng.pick(MALFORMED_KINDS);
  const good = ticket(rng, ticketNo, receivedAt, msisdn(rng));
  const customer = good.customer as Record<string, unknown>;
  let value: string;
  switch (kind) {
    case 'not_json':
      value = JSON.stringify(good).slice(0, rng.int(10, 60)); // cut off mid-way
      break;
    case 'missing_ticket': {
      const { ticketNo: _dropped, ...rest } = good;
      value = JSON.stringify(rest);
      break;
    }
    case 'bad_msisdn':
      value = JSON.stringify({ ...good, customer: { ...customer, msisdn: `0${String(customer.msisdn).slice(1, 9)}` } });
      break;
    case 'unknown_category':
      value = JSON.stringify({ ...good, category: '资费' });
      break;
    case 'unknown_channel':
      value = JSON.stringify({ ...good, channel: 'business_hall' });
      break;
    case 'empty_description':
      value = JSON.stringify({ ...good, description: '' });
      break;
    case 'unknown_field':
      value = JSON.stringify({ ...good, operatorId: 'A1023' });
      break;
  }
  return { kind: 'malformed', key: ticketNo, value, malformed: kind, ticketNo: kind === 'missing_ticket' ? undefined : ticketNo };
}
