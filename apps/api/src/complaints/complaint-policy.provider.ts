import { Provider } from '@nestjs/common';
import { ComplaintPolicy, PoliciesInForce } from '@complaints/domain';
import { AppConfig, APP_CONFIG } from '../platform/config';

/** The policy new complaints are registered under (routing, time limits, ladder): POLICY_FILE's current one, else the built-in one. */
export const COMPLAINT_POLICY = Symbol('COMPLAINT_POLICY');

/** Every policy version in force, by version: a registered complaint is judged by its own. */
export const COMPLAINT_POLICIES = Symbol('COMPLAINT_POLICIES');

export const complaintPolicyProvider: Provider<ComplaintPolicy> = {
  provide: COMPLAINT_POLICY,
  useFactory: (config: AppConfig) => config.policies.current,
  inject: [APP_CONFIG],
};

export const complaintPoliciesProvider: Provider<PoliciesInForce> = {
  provide: COMPLAINT_POLICIES,
  useFactory: (config: AppConfig) => config.policies,
  inject: [APP_CONFIG],
};
