import { Instant } from '../shared/time';

/**
 * A person saw customers' personal data unmasked (DOMAIN.md "Privacy": every
 * read of a whole record by a person is itself recorded). An audit fact, not
 * a decision: it is appended to the viewer's own stream whatever the state.
 */
export type PersonalDataViewed = {
  type: 'PersonalDataViewed';
  data: {
    viewer: string;
    role: string;
    /** what was read: a complaint, its history, a page of search results */
    view: 'complaint' | 'history' | 'search';
    complaintIds: string[];
    viewedAt: Instant;
  };
};

export const personalDataReadsStream = (viewer: string) => `personal-data-reads-${viewer}`;
