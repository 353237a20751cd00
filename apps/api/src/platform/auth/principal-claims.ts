import { Principal } from './principal';
import { BRANCH_SCOPED_ROLES, DEPARTMENT_SCOPED_ROLES, isRole, ROLES } from './role';

export type PrincipalClaim = 'sub' | 'role' | 'branch' | 'department' | 'scope';

export interface ClaimProblem {
  readonly claim: PrincipalClaim;
  readonly message: string;
}

export type ClaimsReading = { ok: true; principal: Principal } | { ok: false; problems: ClaimProblem[] };

/**
 * Reads a principal from JWT claims, enforcing the scoping rules of the roles.
 * One place for them, used both when a token is verified and before one is
 * signed, so a token the server would refuse is never issued.
 */
export function readPrincipalClaims(claims: Record<string, unknown>): ClaimsReading {
  const problems: ClaimProblem[] = [];
  const { sub, role, branch, department, scope } = claims;

  if (!isNonEmptyString(sub)) {
    problems.push({ claim: 'sub', message: sub === undefined ? 'sub is required' : 'sub must be a non-empty string' });
  }
  if (!isRole(role)) {
    const allowed = `one of ${ROLES.join(', ')}`;
    problems.push({ claim: 'role', message: role === undefined ? `role is required (${allowed})` : `role must be ${allowed}` });
  }
  if (branch !== undefined && !isNonEmptyString(branch)) problems.push({ claim: 'branch', message: 'branch must be a non-empty string' });
  if (department !== undefined && !isNonEmptyString(department)) {
    problems.push({ claim: 'department', message: 'department must be a non-empty string' });
  }
  if (scope !== undefined && typeof scope !== 'string') problems.push({ claim: 'scope', message: 'scope must be a space-separated string' });

  if (isRole(role)) {
    if (BRANCH_SCOPED_ROLES.includes(role) && branch === undefined) {
      problems.push({ claim: 'branch', message: `role ${role} requires a branch` });
    }
    if (DEPARTMENT_SCOPED_ROLES.includes(role) && department === undefined) {
      problems.push({ claim: 'department', message: `role ${role} requires a department` });
    }
  }

  if (problems.length > 0 || !isRole(role)) return { ok: false, problems };
  return {
    ok: true,
    principal: {
      sub: sub as string,
      role,
      ...(branch !== undefined && { branch: branch as string }),
      ...(department !== undefined && { department: department as string }),
      scopes: typeof scope === 'string' ? scope.split(' ').filter((s) => s !== '') : [],
    },
  };
}

function isNonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value.trim() !== '';
}
