/**
 * Full garbage collections for `roundup send`, whose peak memory must not grow with the list.
 *
 * V8 collects its old generation lazily: it lets the heap grow well past what is live before a
 * full collection, and buffers (messages written to sockets, rows read from the database) live
 * outside the heap, where V8 waits for 64 MB of them before it looks. So a send that never
 * collected peaked higher the longer it ran (185 MB at 20k readers, 282 MB at 100k). Two things
 * here keep it flat, without a hard heap limit (--max-old-space-size) that would crash a large
 * list import:
 *
 * - `collectNow()` between phases: the render and preflight leave ~10 MB of garbage that the
 *   list import would otherwise pile its own on top of.
 * - `collectOnGrowth()` during the send: a full collection whenever the old generation's
 *   contents plus outside-heap memory have grown 8 MB since the last one. A collection every second kept memory flat too
 *   but cost a quarter of the send's CPU (the whole heap, MJML included, marked each time).
 *
 * Both do nothing until `enableCollection()` (the send command calls it): library code and
 * tests run as V8 would run them anyway.
 */
import { getHeapSpaceStatistics, getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

let gc: (() => void) | undefined;
/** Heap plus outside-heap memory just after the last full collection. */
let floor = 0;

/**
 * What the old generation holds, live or garbage, plus the memory outside the heap that heap
 * objects own (Buffers): what only a full collection gives back. Not the heap's committed size:
 * V8 keeps pages committed after a collection and refills them, so a send could pile 20 MB of
 * garbage into them without the committed size moving at all. Not the young generation either:
 * scavenges empty it on their own, and with a large one (--max-semi-space-size=16) counting it
 * set off a full collection every few hundred messages.
 */
function footprint(): number {
  let bytes = getHeapStatistics().external_memory;
  for (const s of getHeapSpaceStatistics()) if (!YOUNG.has(s.space_name)) bytes += s.space_used_size;
  return bytes;
}
const YOUNG = new Set(['new_space', 'new_large_object_space']);

/** Turn on full collections for this process (--expose-gc at run time); false if the runtime refuses. */
export function enableCollection(): boolean {
  if (gc) return true;
  try {
    setFlagsFromString('--expose-gc');
    gc = runInNewContext('gc') as () => void;
    // Back as it was: V8 stamps its code cache with a hash of the flags, and bin/roundup.js
    // would otherwise rebuild the cache after this process with a stamp that no later start
    // (flags as launched) accepts: every start after a send compiled the bundle from scratch.
    setFlagsFromString('--no-expose-gc');
  } catch {
    return false;
  }
  floor = footprint();
  return true;
}

/** A full collection now, if enabled: at the end of a phase whose garbage should not add up with the next one's. */
export function collectNow(): void {
  if (!gc) return;
  gc();
  floor = footprint();
}

/** Collect fully whenever the footprint has grown `slackBytes` since the last collection; returns the stop function. */
export function collectOnGrowth(everyMs = 250, slackBytes = 8 * 1048576): () => void {
  if (!enableCollection()) return () => {};
  const timer = setInterval(() => {
    if (footprint() >= floor + slackBytes) collectNow();
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
