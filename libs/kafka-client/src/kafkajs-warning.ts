// kafkajs 2.2.4 schedules its request queue's throttle check with a negative delay while no
// broker throttles (throttledUntil is -1): Node has always run such a timer after 1 ms, and since
// Node 24 also prints a TimeoutNegativeWarning (kafkajs issue #1751, unreleased fix). The warning
// says nothing an operator can act on and broke the CLIs' clean stderr, so the process's warning
// printers skip exactly that one; every other warning is printed as before.

let installed = false;

/** True for the TimeoutNegativeWarning raised from kafkajs' request queue. */
export function isKafkajsNegativeTimeoutWarning(warning: Error): boolean {
  return warning.name === 'TimeoutNegativeWarning' && /kafkajs[\\/]src[\\/]network[\\/]requestQueue/.test(warning.stack ?? '');
}

export function silenceKafkajsNegativeTimeoutWarning(): void {
  if (installed) return;
  installed = true;
  for (const listener of process.listeners('warning')) {
    process.removeListener('warning', listener);
    process.on('warning', (warning) => {
      if (!isKafkajsNegativeTimeoutWarning(warning)) listener(warning);
    });
  }
}
