import { BRANCH_SCOPED_ROLES, Principal } from '../platform/auth';
import { Forbidden, ProblemException } from '../platform/http';

/** The branch a query covers: a branch-scoped role sees its own branch only. */
export function branchInScope(principal: Principal, requested: string | undefined): string | undefined {
  if (!BRANCH_SCOPED_ROLES.includes(principal.role)) return requested;
  if (requested !== undefined && requested !== principal.branch) {
    throw new Forbidden(`a ${principal.role} of branch ${principal.branch} reads its own branch, not ${requested}`);
  }
  return principal.branch;
}

/** An optional ISO-8601 query parameter as a Date; a future `asOf` is refused. */
export function instant(value: string | undefined, field: string, options: { notAfter?: Date } = {}): Date | undefined {
  if (value === undefined) return undefined;
  const at = new Date(value);
  if (Number.isNaN(at.getTime())) throw badField(field, `${field} must be an ISO-8601 instant`);
  if (options.notAfter && at > options.notAfter) throw badField(field, `${field} must not be in the future`);
  return at;
}

export function badField(field: string, message: string): ProblemException {
  return new ProblemException({ status: 400, code: 'validation_failed', detail: message, extensions: { errors: [{ field, message }] } });
}
