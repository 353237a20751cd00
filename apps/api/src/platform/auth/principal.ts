import { Role } from './role';

/** Who is calling, as the verified token says. */
export interface Principal {
  /** the JWT `sub`: a person or a system, e.g. `desk-007`; recorded as the actor of what they do */
  readonly sub: string;
  readonly role: Role;
  /** the branch an agent, supervisor or accounts clerk works for (always present for those roles) */
  readonly branch?: string;
  /** the department a handler works for (always present for that role) */
  readonly department?: string;
  /** the token's `scope` claim split on spaces; empty when absent. Not enforced yet. */
  readonly scopes: readonly string[];
}

/** What a token is signed for; `scopes` may be left out. */
export type PrincipalToSign = Omit<Principal, 'scopes'> & { readonly scopes?: readonly string[] };
