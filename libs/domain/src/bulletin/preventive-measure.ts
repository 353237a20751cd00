import { ComplaintCategory } from '../complaint/complaint.types';
import { assertNever, Decider } from '../shared/decider';
import { CommandRefused } from '../shared/domain-error';
import { Instant } from '../shared/time';

/**
 * An analyst's preventive measure against one cause of complaints in one
 * report period (§4 2.4 5): the next period's bulletin evaluates it by how the
 * cause's rate changed.
 */
export interface MeasurePeriod {
  kind: 'daily' | 'ten-day' | 'monthly' | 'yearly';
  label: string;
  start: Instant;
  end: Instant;
}

export type PreventiveMeasureRecorded = {
  type: 'PreventiveMeasureRecorded';
  data: {
    measureId: string;
    period: MeasurePeriod;
    cause: { category: ComplaintCategory; subcategory?: string };
    /** the branch that carries it out; absent for the whole company */
    branch?: string;
    measure: string;
    recordedAt: Instant;
  };
};

export type RecordPreventiveMeasure = {
  type: 'RecordPreventiveMeasure';
  data: Omit<PreventiveMeasureRecorded['data'], 'recordedAt'>;
  context: { now: Instant; actor: string };
};

export type PreventiveMeasureState = { status: 'none' } | { status: 'recorded'; measureId: string };

export function decidePreventiveMeasure(command: RecordPreventiveMeasure, state: PreventiveMeasureState): PreventiveMeasureRecorded[] {
  switch (command.type) {
    case 'RecordPreventiveMeasure':
      if (state.status === 'recorded') throw new CommandRefused('measure.already_recorded', `preventive measure ${state.measureId} is already recorded`);
      return [{ type: 'PreventiveMeasureRecorded', data: { ...command.data, recordedAt: command.context.now } }];
    default:
      return assertNever(command.type);
  }
}

export const preventiveMeasureDecider: Decider<PreventiveMeasureState, RecordPreventiveMeasure, PreventiveMeasureRecorded> = {
  decide: decidePreventiveMeasure,
  evolve: (_state, event) => ({ status: 'recorded', measureId: event.data.measureId }),
  initialState: () => ({ status: 'none' }),
};
