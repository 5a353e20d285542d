/**
 * Registers every command beyond `build`. Each feature area owns one register function and
 * keeps its heavy imports inside the action (dynamic import) so start-up stays fast.
 */
import type { Command } from 'commander';
import { registerDbCommands } from './db.js';
import { registerPreviewCommands } from './preview.js';
import { registerPublishCommands } from './publish.js';
import { registerSendCommands } from './send.js';

export function registerAll(program: Command): void {
  registerPreviewCommands(program);
  registerPublishCommands(program);
  registerSendCommands(program);
  registerDbCommands(program);
}
