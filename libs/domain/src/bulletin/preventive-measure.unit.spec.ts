import { deciderSpecification } from '@complaints/testing';
import { CommandRefused } from '../shared/domain-error';
import { PreventiveMeasureRecorded, preventiveMeasureDecider, RecordPreventiveMeasure } from './preventive-measure';

const spec = deciderSpecification(preventiveMeasureDecider);
const period = { kind: 'monthly' as const, label: '2026-11', start: '2026-10-31T16:00:00.000Z', end: '2026-11-30T16:00:00.000Z' };
const data = { measureId: 'm1', period, cause: { category: 'billing' as const, subcategory: '双重扣费' }, branch: 'ZG', measure: 'Check the rating of data packages daily' };
const record: RecordPreventiveMeasure = { type: 'RecordPreventiveMeasure', data, context: { now: '2026-12-02T02:00:00.000Z', actor: 'analyst-1' } };
const recorded: PreventiveMeasureRecorded = { type: 'PreventiveMeasureRecorded', data: { ...data, recordedAt: '2026-12-02T02:00:00.000Z' } };

describe('preventive measures', () => {
  it('an analyst records a measure against a cause for a period', () => {
    spec.given([]).when(record).then([recorded]);
  });

  it('the same measure is not recorded twice', () => {
    spec.given([recorded]).when(record).thenThrows(CommandRefused, (e) => expect(e.code).toBe('measure.already_recorded'));
  });
});
