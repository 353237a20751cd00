import { Principal } from '../platform/auth';
import { BRANCHES } from './demo-catalog';
import { Rng } from './prng';

/** How many people of each kind work per branch or department. */
const DESK_AGENTS: Readonly<Record<string, number>> = { ZG: 8, GX: 4, YJ: 4, LC: 4, HN: 3, PQ: 3, DS: 3 };
const CALLCENTER_OPERATORS = 24;
const HANDLERS: Readonly<Record<string, number>> = {
  'billing-center': 6,
  support: 4,
  eoms: 8,
  'customer-service': 6,
  data: 4,
  'branch-customer-supervisor': 3,
  'marketing-cs': 3,
};
const SUPERVISORS_PER_BRANCH = 2;
const ACCOUNTS_PER_BRANCH = 2;

const two = (n: number) => String(n).padStart(2, '0');

function principal(sub: string, role: Principal['role'], scope: { branch?: string; department?: string } = {}): Principal {
  return { sub, role, ...scope, scopes: [] };
}

/**
 * The people who act in the demo, as the principals their tokens would
 * carry: desk agents per branch, 10086 operators, handlers per department,
 * supervisors and accounts clerks per branch.
 */
export class DemoStaff {
  private readonly agents = new Map<string, Principal[]>();
  private readonly supervisors = new Map<string, Principal[]>();
  private readonly accountsClerks = new Map<string, Principal[]>();
  private readonly handlers = new Map<string, Principal[]>();
  private readonly operators: Principal[];

  constructor() {
    for (const [branch] of BRANCHES) {
      const count = DESK_AGENTS[branch] ?? 3;
      this.agents.set(branch, Array.from({ length: count }, (_, i) => principal(`desk-${branch}-${two(i + 1)}`, 'agent', { branch })));
      this.supervisors.set(branch, Array.from({ length: SUPERVISORS_PER_BRANCH }, (_, i) => principal(`supervisor-${branch}-${i + 1}`, 'supervisor', { branch })));
      this.accountsClerks.set(branch, Array.from({ length: ACCOUNTS_PER_BRANCH }, (_, i) => principal(`accounts-${branch}-${i + 1}`, 'accounts', { branch })));
    }
    for (const [department, count] of Object.entries(HANDLERS)) {
      this.handlers.set(department, Array.from({ length: count }, (_, i) => principal(`${department}-${two(i + 1)}`, 'handler', { department })));
    }
    this.operators = Array.from({ length: CALLCENTER_OPERATORS }, (_, i) => principal(`10086-op-${two(i + 1)}`, 'callcenter'));
  }

  agent(branch: string, rng: Rng): Principal {
    return rng.pick(this.of(this.agents, branch));
  }

  operator(rng: Rng): Principal {
    return rng.pick(this.operators);
  }

  supervisor(branch: string, rng: Rng): Principal {
    return rng.pick(this.of(this.supervisors, branch));
  }

  accounts(branch: string, rng: Rng): Principal {
    return rng.pick(this.of(this.accountsClerks, branch));
  }

  handler(department: string, rng: Rng): Principal {
    return rng.pick(this.of(this.handlers, department));
  }

  private of(people: Map<string, Principal[]>, key: string): Principal[] {
    const found = people.get(key);
    if (!found) throw new Error(`the demo has no staff for ${key}`);
    return found;
  }
}
