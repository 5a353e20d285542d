/**
 * Maps file changes to store reloads: an issue re-renders alone; a partial re-renders the
 * issues that include it; a template, the config or the example list re-renders everything.
 * Saves arrive as bursts (editors write, rename, touch), so each path is debounced briefly.
 */
import path from 'node:path';
import type { PreviewStore } from './store.js';

export interface Watching {
  close(): Promise<void>;
  /** Resolves once the initial scan is done and changes will be seen. */
  ready: Promise<void>;
}

const DEBOUNCE_MS = 40;

export async function watchProject(store: PreviewStore): Promise<Watching> {
  const { watch } = await import('chokidar');
  const root = store.root;
  const exampleList = () => path.resolve(root, store.config?.exampleList ?? 'lists/example.csv');
  const watcher = watch([path.join(root, 'issues'), path.join(root, 'templates'), path.join(root, 'roundup.config.yaml'), path.join(root, 'lists')], {
    ignoreInitial: true,
    // Editors' swap and backup files are not inputs.
    ignored: (p: string) => /(^|[\\/])\.|~$|\.swp$/.test(path.basename(p)) && p !== root,
  });
  const timers = new Map<string, NodeJS.Timeout>();
  const onChange = (abs: string) => {
    clearTimeout(timers.get(abs));
    timers.set(
      abs,
      setTimeout(() => {
        timers.delete(abs);
        void dispatch(abs);
      }, DEBOUNCE_MS),
    );
  };
  const dispatch = (abs: string): Promise<void> => {
    const rel = path.relative(root, abs).split(path.sep).join('/');
    if (/^issues\/[^/]+\.md$/.test(rel)) return store.reloadIssue(abs);
    const partial = /^templates\/partials\/([^/]+)\.md$/.exec(rel);
    if (partial) return store.reloadPartial(partial[1]);
    if (rel.startsWith('templates/') || rel === 'roundup.config.yaml' || abs === exampleList()) return store.reloadAll();
    return Promise.resolve();
  };
  watcher.on('add', onChange).on('change', onChange).on('unlink', onChange);
  const ready = new Promise<void>((resolve) => watcher.once('ready', () => resolve()));
  return {
    ready,
    async close() {
      for (const t of timers.values()) clearTimeout(t);
      await watcher.close();
    },
  };
}
