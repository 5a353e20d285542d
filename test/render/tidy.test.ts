import { describe, expect, it } from 'vitest';
import { tidyHtml } from '../../src/render/tidy.js';

describe('tidyHtml', () => {
  it('drops indentation but keeps newlines, comments and <pre> content', () => {
    const html =
      '<div>\n    <!--[if mso | IE]><table><tr><td><![endif]-->\n      <p>a\n        b</p>\n<pre style="x">  code\n    more</pre>\n  <textarea>\n  t</textarea>\n</div>';
    expect(tidyHtml(html)).toBe(
      '<div>\n<!--[if mso | IE]><table><tr><td><![endif]-->\n<p>a\nb</p>\n<pre style="x">  code\n    more</pre>\n<textarea>\n  t</textarea>\n</div>',
    );
  });

  it('removes height="auto" from images only', () => {
    expect(tidyHtml('<img src="a.png" width="536" height="auto" style="height:auto"><td height="auto">')).toBe(
      '<img src="a.png" width="536" style="height:auto"><td height="auto">',
    );
    expect(tidyHtml('<img src="a.png" height="120">')).toBe('<img src="a.png" height="120">');
  });
});
