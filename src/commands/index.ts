/**
 * Registers every command beyond `build`. Each feature area owns one register function and
 * keeps its heavy imports inside the action (dynamic import) so start-up stays fast.
 */
import type { Command } from 'commander';

export function registerAll(program: Command): void {
  void program;
}
