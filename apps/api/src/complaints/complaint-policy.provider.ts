import { DEFAULT_POLICY } from '@complaints/domain';

/** The policy in force (routing, time limits, ladder). Configuration later; the defaults of DOMAIN.md now. */
export const COMPLAINT_POLICY = Symbol('COMPLAINT_POLICY');

export const complaintPolicyProvider = { provide: COMPLAINT_POLICY, useValue: DEFAULT_POLICY };
