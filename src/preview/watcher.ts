/**
 * Maps file changes to store reloads: an issue re-renders alone; a partial re-renders the
 * issues that include it; a template, the config or the example list re-renders everything.
 * Saves arrive as bursts (editors write, rename, touch), so each path is debounced briefly.
 *
 * The project folder itself is watched, filtered to the inputs, rather than each input
 * path: a watch on a file or folder ends when it is deleted or renamed away (editors that
 * save by rename, `git checkout`, `mv issues issues.bak`), and nothing would be seen after
 * it comes back. A watch on the parent sees it leave and return.
 */
import path from 'node:path';
import type { PreviewStore } from './store.js';

export interface Watching {
  close(): Promise<void>;
  /** Resolves once the initial scan is done and changes will be seen. */
  ready: Promise<void>;
}

const DEBOUNCE_MS = 40;
/** issues/x.md, templates/partials/x.md, lists/x.csv, and images in folders below them. */
const DEPTH = 4;

/** Editors' swap, backup and lock files are not inputs. */
const isEditorJunk = (name: string) => /^\.|~$|\.sw[a-p]$|^#.*#$/.test(name);

/** `onError`: a watcher problem worth telling the user (the preview keeps running). */
export async function watchProject(store: PreviewStore, onError: (message: string) => void = () => {}): Promise<Watching> {
  const { watch } = await import('chokidar');
  const root = store.root;
  const relOf = (abs: string) => path.relative(root, abs).split(path.sep).join('/');
  const exampleList = () => relOf(path.resolve(root, store.config?.exampleList ?? 'lists/example.csv'));
  /** Is `rel` an input, or a folder on the way to one? Everything else (node_modules, dist…) is never scanned. */
  /** Images the issues use, wherever in the project they are (`/images/logo.png`, `../shared/x.jpg`). */
  const images = () => [...store.imagePaths()].map(relOf).filter((r) => !r.startsWith('../'));
  const wanted = (rel: string): boolean => {
    if (rel === '') return true;
    if (isEditorJunk(path.posix.basename(rel))) return false;
    const list = exampleList();
    if (rel === 'roundup.config.yaml' || /^(issues|templates)(\/|$)/.test(rel) || rel === list || list.startsWith(`${rel}/`)) return true;
    return images().some((img) => img === rel || img.startsWith(`${rel}/`));
  };
  const watcher = watch(root, { ignoreInitial: true, depth: DEPTH, ignored: (p: string) => !wanted(relOf(p)) });
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
    const rel = relOf(abs);
    if (/^issues\/[^/]+\.md$/.test(rel)) return store.reloadIssue(abs);
    // A photo saved (or replaced, or dropped in where an issue already points): its issues re-render.
    if (store.imagePaths().has(abs)) return store.reloadImage(abs);
    const partial = /^templates\/partials\/([^/]+)\.md$/.exec(rel);
    if (partial) return store.reloadPartial(partial[1]);
    // A whole folder arriving or leaving (renamed back, checked out): re-read everything.
    if (rel === 'issues' || /^templates(\/|$)/.test(rel) || rel === 'roundup.config.yaml' || rel === exampleList())
      return store.reloadAll();
    return Promise.resolve();
  };
  watcher.on('add', onChange).on('change', onChange).on('unlink', onChange).on('addDir', onChange).on('unlinkDir', onChange);
  // An issue may start using an image in a folder nobody watched yet: watch it from then on.
  const watched = new Set<string>();
  const unsubscribe = store.subscribe(() => {
    for (const img of images()) {
      const dir = path.posix.dirname(img);
      if (/^(issues|templates)(\/|$)/.test(img) || watched.has(dir)) continue;
      watched.add(dir);
      watcher.add(path.join(root, dir));
    }
  });
  // A watcher error (EMFILE, a folder vanishing mid-scan) must not end the preview.
  watcher.on('error', (e) => onError(`watching files: ${e instanceof Error ? e.message : String(e)}`));
  const ready = new Promise<void>((resolve) => watcher.once('ready', () => resolve()));
  return {
    ready,
    async close() {
      unsubscribe();
      for (const t of timers.values()) clearTimeout(t);
      await watcher.close();
    },
  };
}
