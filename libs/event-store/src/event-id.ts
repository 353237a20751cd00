import { v7 } from 'uuid';

/**
 * A new event id: a UUIDv7, so ids sort by creation time and index well. Take
 * it once per event, before the first attempt, and reuse it on retries: that
 * is what makes a retried append recognisable.
 */
export function newEventId(): string {
  return v7();
}
