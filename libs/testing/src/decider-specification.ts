import { Decider } from '@complaints/domain';

/**
 * given(events).when(command).then(events) for deciders, as emmett's
 * DeciderSpecification: the test speaks the domain, never its internals.
 */
export function deciderSpecification<State, Command, Event>(decider: Decider<State, Command, Event>) {
  return {
    given(events: readonly Event[]) {
      return {
        when(command: Command) {
          const state = events.reduce(decider.evolve, decider.initialState());
          const run = () => decider.decide(command, state);
          return {
            then(expected: readonly Event[]): void {
              expect(run()).toEqual(expected);
            },
            /** no events: the command is a no-op here (typically a safe retry) */
            thenNothingHappens(): void {
              expect(run()).toEqual([]);
            },
            thenThrows<E extends Error>(errorType: abstract new (...args: never[]) => E, check?: (error: E) => void): void {
              let thrown: unknown;
              try {
                run();
              } catch (error) {
                thrown = error;
              }
              expect(thrown).toBeInstanceOf(errorType);
              check?.(thrown as E);
            },
          };
        },
      };
    },
  };
}
