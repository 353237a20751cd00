import { Projection } from '../projection';
import { ComplaintsProjection } from './complaints.projection';
import { PersonalDataReadsProjection } from './personal-data-reads.projection';
import { PreventiveMeasuresProjection } from './preventive-measures.projection';

export * from './read-model.tables';
export * from './complaints.projection';
export * from './personal-data-reads.projection';
export * from './preventive-measures.projection';
export * from './stats-rollups';

/** Every projection of the application, in the order they are applied. */
export function allProjections(): Projection[] {
  return [new ComplaintsProjection(), new PreventiveMeasuresProjection(), new PersonalDataReadsProjection()];
}
