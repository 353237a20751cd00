export const ROLES = ['agent', 'callcenter', 'handler', 'supervisor', 'accounts', 'analyst', 'admin'] as const;

/**
 * - agent: a branch's complaint desk
 * - callcenter: the 10086 call center
 * - handler: a department that answers work orders
 * - supervisor: a branch's customer supervisor / duty manager
 * - accounts: a branch's accounts room
 * - analyst: read-only statistics, masked personal data
 * - admin
 */
export type Role = (typeof ROLES)[number];

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

/** Roles that act for one branch: their token must name it. */
export const BRANCH_SCOPED_ROLES: readonly Role[] = ['agent', 'supervisor', 'accounts'];

/** Roles that act for one department: their token must name it. */
export const DEPARTMENT_SCOPED_ROLES: readonly Role[] = ['handler'];
