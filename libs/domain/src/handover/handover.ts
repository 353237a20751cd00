import { assertNever, Decider } from '../shared/decider';
import { CommandRefused, NotFound } from '../shared/domain-error';
import { Instant } from '../shared/time';

/**
 * Shift handover (Part 2 §7): an agent going off shift hands the open items
 * they hold to an incoming agent, who must acknowledge; until then the items
 * stay with the outgoing agent.
 */
export interface HandoverItem {
  complaintId: string;
  status: string;
  /** open work orders of the complaint at handover */
  openWorkOrders: string[];
}

export type HandoverRecorded = {
  type: 'HandoverRecorded';
  data: { handoverId: string; fromAgent: string; toAgent: string; branch: string; note?: string; items: HandoverItem[]; handedOverAt: Instant };
};

export type HandoverAcknowledged = {
  type: 'HandoverAcknowledged';
  data: { handoverId: string; acknowledgedBy: string; acknowledgedAt: Instant };
};

export type HandoverEvent = HandoverRecorded | HandoverAcknowledged;

type Context = { now: Instant; actor: string };

export type RecordHandover = {
  type: 'RecordHandover';
  data: { handoverId: string; toAgent: string; branch: string; note?: string; items: HandoverItem[] };
  context: Context;
};

export type AcknowledgeHandover = { type: 'AcknowledgeHandover'; data: { handoverId: string }; context: Context };

export type HandoverCommand = RecordHandover | AcknowledgeHandover;

export type HandoverState =
  | { status: 'none' }
  | { status: 'pending' | 'acknowledged'; id: string; fromAgent: string; toAgent: string; branch: string; note?: string; items: HandoverItem[]; handedOverAt: Instant; acknowledgedAt?: Instant };

export function decideHandover(command: HandoverCommand, state: HandoverState): HandoverEvent[] {
  switch (command.type) {
    case 'RecordHandover': {
      if (state.status !== 'none') throw new CommandRefused('handover.already_recorded', `handover ${command.data.handoverId} is already recorded`);
      if (command.data.toAgent === command.context.actor) throw new CommandRefused('handover.to_self', 'a handover goes to another agent, not to oneself');
      const { handoverId, toAgent, branch, note, items } = command.data;
      return [{ type: 'HandoverRecorded', data: { handoverId, fromAgent: command.context.actor, toAgent, branch, note, items, handedOverAt: command.context.now } }];
    }
    case 'AcknowledgeHandover': {
      if (state.status === 'none') throw new NotFound('handover.not_found', `handover ${command.data.handoverId} does not exist`);
      if (command.context.actor !== state.toAgent) {
        throw new CommandRefused('handover.not_receiver', `handover ${state.id} is addressed to ${state.toAgent}; only they can acknowledge it`);
      }
      if (state.status === 'acknowledged') return []; // acknowledged already: a retry changes nothing
      return [{ type: 'HandoverAcknowledged', data: { handoverId: state.id, acknowledgedBy: command.context.actor, acknowledgedAt: command.context.now } }];
    }
    default:
      return assertNever(command);
  }
}

export function evolveHandover(state: HandoverState, event: HandoverEvent): HandoverState {
  switch (event.type) {
    case 'HandoverRecorded': {
      const { handoverId, fromAgent, toAgent, branch, note, items, handedOverAt } = event.data;
      return { status: 'pending', id: handoverId, fromAgent, toAgent, branch, note, items, handedOverAt };
    }
    case 'HandoverAcknowledged':
      if (state.status === 'none') throw new Error('HandoverAcknowledged before HandoverRecorded');
      return { ...state, status: 'acknowledged', acknowledgedAt: event.data.acknowledgedAt };
    default:
      return assertNever(event);
  }
}

export const handoverDecider: Decider<HandoverState, HandoverCommand, HandoverEvent> = {
  decide: decideHandover,
  evolve: evolveHandover,
  initialState: () => ({ status: 'none' }),
};
