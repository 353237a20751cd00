/**
 * Preloaded (-r) into a server child that runs under --cpu-prof: Nest's
 * shutdown hooks end the process by raising the signal again after the
 * shutdown, and a process killed by a signal writes no profile. This listener
 * lets the first signal through to Nest and turns the second one (Nest's own)
 * into a normal exit, so the profile is written.
 */
let signals = 0;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    if (++signals > 1) process.exit(0);
  });
}
