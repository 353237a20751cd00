import { ComplaintCategory, ComplaintChannel, Contact, ContactMethod, Customer } from '@complaints/domain';
import { Principal } from '../platform/auth';
import {
  BRANCHES,
  CALLCENTER_CHANNELS,
  CATEGORIES,
  companyName,
  complaintStory,
  ComplaintStory,
  DAYTIME_CHANNELS,
  HALLS_PER_BRANCH,
  MSISDN_PREFIXES,
  NIGHT_CHANNELS,
  NIGHT_SHARE,
  personName,
  SUBCATEGORIES,
} from './demo-catalog';
import { DemoStaff } from './demo-staff';
import { Rng } from './prng';
import { arrivalTime, formatShanghai } from './sim-time';

/** A complaint as it reaches a desk: who, about what, by which channel, when. */
export interface Intake {
  /** 1-based number of the complaint in this run, in arrival order */
  no: number;
  arrival: number;
  channel: ComplaintChannel;
  branch: string;
  hall?: string;
  category: ComplaintCategory;
  story: ComplaintStory;
  customer: Customer;
  contact: Contact;
  externalRef?: string;
  /** who registers it: a branch desk agent, or a 10086 operator */
  desk: Principal;
}

/** the share of complaints by a customer who complained before, recently */
const REPEAT_SHARE = 0.12;
/** a repeat is drawn among the customers of this many latest complaints: frequent complainers weigh more */
const REPEAT_LOOKBACK = 3000;

interface KnownCustomer {
  customer: Customer;
  branch: string;
}

/**
 * Customers: mostly new numbers, some who complained recently (so some
 * complaints are a third within thirty days and raise the level), a few VIP
 * and group customers.
 */
export class CustomerPool {
  private readonly numbers = new Set<string>();
  /** one entry per complaint, oldest first */
  private readonly complaints: KnownCustomer[] = [];

  next(rng: Rng, newBranch: () => string): KnownCustomer {
    if (this.complaints.length >= 20 && rng.chance(REPEAT_SHARE)) {
      const from = Math.max(0, this.complaints.length - REPEAT_LOOKBACK);
      const known = this.complaints[rng.int(from, this.complaints.length - 1)];
      this.complaints.push(known);
      return known;
    }
    const known = { customer: this.newCustomer(rng), branch: newBranch() };
    this.complaints.push(known);
    return known;
  }

  private newCustomer(rng: Rng): Customer {
    let msisdn: string;
    do msisdn = rng.pick(MSISDN_PREFIXES) + String(rng.int(0, 99_999_999)).padStart(8, '0');
    while (this.numbers.has(msisdn));
    this.numbers.add(msisdn);
    const groupCustomer = rng.chance(0.08);
    const vip = rng.chance(groupCustomer ? 0.2 : 0.05);
    const corporate = groupCustomer ? rng.chance(0.6) : rng.chance(0.02);
    return {
      msisdn,
      name: corporate ? companyName(rng) : personName(rng),
      vip,
      groupCustomer,
      accountType: corporate ? 'corporate' : 'personal',
    };
  }
}

const CONTACT_PREFERENCES: ReadonlyArray<readonly [ContactMethod, number]> = [
  ['phone', 62],
  ['sms', 28],
  ['in_person', 6],
  ['letter', 4],
];

function externalRefFor(channel: ComplaintChannel, arrival: number, no: number, rng: Rng): string | undefined {
  const day = formatShanghai(arrival).slice(0, 10).replace(/-/g, '');
  const serial = String(rng.int(1, 999_999)).padStart(6, '0');
  switch (channel) {
    case '10086':
    case 'green_net':
    case 'gm_hotline':
    case 'special':
    case 'website':
      return `GD${day}${serial}`; // the call center's ticket number (工单号)
    case 'provincial':
      return `JT-${day}-${String(no).padStart(5, '0')}`;
    case 'consumer_association':
      return `XX-${day.slice(0, 4)}-${String(rng.int(1, 9999)).padStart(4, '0')}`;
    case 'letter':
      return `XH-${day}-${String(rng.int(1, 999)).padStart(3, '0')}`;
    default:
      return undefined;
  }
}

/**
 * The complaints of one simulated day, in arrival order, numbered from
 * `firstNo`. Draws from the run's intake stream in a fixed order, so the same
 * seed gives the same complaints.
 */
export function complaintsOfDay(midnight: number, perDay: number, firstNo: number, rng: Rng, customers: CustomerPool, staff: DemoStaff): Intake[] {
  const arrivals = Array.from({ length: perDay }, () => {
    const night = rng.chance(NIGHT_SHARE);
    return { at: arrivalTime(midnight, rng, night), night };
  }).sort((a, b) => a.at - b.at);

  return arrivals.map(({ at, night }, index) => {
    const no = firstNo + index;
    const channel = rng.weighted(night ? NIGHT_CHANNELS : DAYTIME_CHANNELS);
    const { customer, branch } = customers.next(rng, () => rng.weighted(BRANCHES));
    const hall = channel === 'business_hall' || channel === 'branch' ? `${branch}-${String(rng.int(1, HALLS_PER_BRANCH[branch] ?? 2)).padStart(2, '0')}` : undefined;
    const category: ComplaintCategory = channel === 'phone_repair' ? rng.weighted([['service', 70], ['network', 30]] as const) : rng.weighted(CATEGORIES);
    const month = new Date(at + 8 * 3_600_000).getUTCMonth() + 1;
    const story = complaintStory(rng.weighted(SUBCATEGORIES[category]), month, hall, rng);
    const contact: Contact = {
      phone: rng.chance(0.9) ? customer.msisdn : rng.pick(['138', '139', '150']) + String(rng.int(0, 99_999_999)).padStart(8, '0'),
      preferredMethod: rng.weighted(CONTACT_PREFERENCES),
    };
    const desk = CALLCENTER_CHANNELS.has(channel) ? staff.operator(rng) : staff.agent(branch, rng);
    return { no, arrival: at, channel, branch, hall, category, story, customer, contact, externalRef: externalRefFor(channel, at, no, rng), desk };
  });
}
