/** Long-running servers (`preview`, `serve`) stop cleanly on Ctrl-C or SIGTERM. */
import type { Terminal } from '../terminal.js';

export function untilStopped(terminal: Terminal, close: () => Promise<void>): Promise<void> {
  return new Promise<void>((resolve) => {
    const stop = () => {
      off();
      void close().then(resolve);
    };
    const off = terminal.onInterrupt(stop);
  });
}
