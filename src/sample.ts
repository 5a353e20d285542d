/** The stand-in reader used by `build` and `preview` to fill recipient fields. */
import type { Config } from './config.js';
import { unsubscribeBase } from './naming.js';
import type { MergeValues } from './render/merge.js';

export function sampleValues(config: Config, recipient: Record<string, string> = config.sampleRecipient): MergeValues {
  // Not a working token: built files are previews, never sent.
  return { recipient, unsubscribeUrl: `${unsubscribeBase(config)}/u/preview` };
}
