import { BUILT_IN_POLICIES, PoliciesInForce } from '@complaints/domain';
import { Projection } from '../projection';
import { ComplaintsProjection } from './complaints.projection';
import { PersonalDataReadsProjection } from './personal-data-reads.projection';
import { PreventiveMeasuresProjection } from './preventive-measures.projection';

export * from './read-model.tables';
export * from './complaints.projection';
export * from './personal-data-reads.projection';
export * from './preventive-measures.projection';
export * from './stats-rollups';

/** Every projection of the application, in the order they are applied; the deadlines follow the policies in force. */
export function allProjections(policies: PoliciesInForce = BUILT_IN_POLICIES): Projection[] {
  return [new ComplaintsProjection(policies), new PreventiveMeasuresProjection(), new PersonalDataReadsProjection()];
}
