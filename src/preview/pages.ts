/** The preview's two pages: the index of issues and one issue's view. Server-rendered HTML. */
import { formatLocation } from '../errors.js';
import { esc, scriptJson } from './html.js';
import { INDEX_SCRIPT, ISSUE_SCRIPT } from './client.js';
import type { IssueEntry, PreviewStore, Problem } from './store.js';

const STYLE = `
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:#1d232b;background:#eef0f3}
header.bar{display:flex;gap:16px;align-items:center;flex-wrap:wrap;padding:10px 20px;background:#1f3a5f;color:#fff}
header.bar a{color:#fff}
header.bar h1{font-size:16px;margin:0 auto 0 0}
main{padding:16px 20px}
table{border-collapse:collapse;background:#fff;width:100%}
th,td{text-align:left;padding:8px 10px;border-bottom:1px solid #dde1e6;vertical-align:top}
td.nowrap,th.nowrap{white-space:nowrap}
.ok{color:#17663a}.warn{color:#8a5a00}.err{color:#a4161a}
.problem{background:#fff0f0;border:2px solid #a4161a;padding:12px 16px;margin:0 0 16px;white-space:pre-wrap}
.problem code{font-weight:bold}
.inbox{display:flex;gap:12px;align-items:baseline;background:#fff;border:1px solid #d5d9de;padding:10px 14px;margin:0 0 12px;max-width:1040px;overflow:hidden;white-space:nowrap}
.inbox .from{font-weight:bold;flex:0 0 14em;overflow:hidden;text-overflow:ellipsis}
.inbox .subject{font-weight:bold;flex:0 1 auto;overflow:hidden;text-overflow:ellipsis}
.inbox .pre{color:#5b6673;flex:1 1 0;min-width:0;overflow:hidden;text-overflow:ellipsis}
.tabs{display:flex;gap:4px;margin:0 0 -1px}
.tabs button{font:inherit;padding:6px 14px;border:1px solid #c9ced4;background:#e3e6ea;cursor:pointer}
.tabs button[aria-selected=true]{background:#fff;border-bottom-color:#fff;font-weight:bold}
.pane{background:#fff;border:1px solid #c9ced4;padding:16px}
.frames{display:flex;gap:24px;align-items:flex-start;overflow-x:auto}
figure{margin:0}
figcaption{font-size:12px;color:#5b6673;margin:0 0 6px}
iframe{border:1px solid #c9ced4;background:#fff;display:block;height:900px}
#desktop{width:640px}#phone{width:375px}
pre#text{white-space:pre-wrap;max-width:80ch;margin:0;font:13px/1.5 ui-monospace,Menlo,Consolas,monospace}
.checks{background:#fff;border:1px solid #d5d9de;margin:0 0 12px;padding:8px 14px 8px 32px;max-width:1040px;max-height:14em;overflow:auto}
.checks li{margin:2px 0}
/* Until the issue has rendered once there is nothing to show but the problem. */
body:not([data-shown]) :is(.inbox,#preflight,.tabs,.pane){display:none}
.muted{color:#5b6673}
main h2{font-size:14px;margin:0 0 6px}
label{cursor:pointer}
`;

function layout(title: string, body: string, script: string): string {
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title><link rel="icon" href="data:,"><style>${STYLE}</style></head>
<body>${body}<script>${script}</script></body>
</html>`;
}

export function problemText(p: Problem): string {
  return `${formatLocation(p)}${p.message}`;
}

function problemBox(p: Problem | undefined, id = 'problem'): string {
  const text = p ? problemText(p) : '';
  return `<div id="${id}" class="problem" role="alert"${p ? '' : ' hidden'}><code>${esc(text)}</code>
<span class="muted">Fix the file and save: this page updates by itself.</span></div>`;
}

function status(store: PreviewStore, e: IssueEntry): string {
  if (!e.ok) return `<span class="err">cannot render: ${esc(problemText(e.problem))}</span>`;
  const c = store.summary(e)!;
  if (c.errors)
    return `<span class="err">${c.errors} error(s)</span>${c.warnings ? `, <span class="warn">${c.warnings} warning(s)</span>` : ''}`;
  if (c.warnings) return `<span class="warn">${c.warnings} warning(s)</span>`;
  return '<span class="ok">ready to send</span>';
}

export function indexMain(store: PreviewStore): string {
  const rows = [...store.issues.values()]
    .sort((a, b) => a.slug.localeCompare(b.slug))
    .map((e) => {
      const meta = e.ok ? e.issue.meta : undefined;
      return `<tr data-slug="${esc(e.slug)}">
<td><a href="/issue/${encodeURIComponent(e.slug)}">${esc(meta?.subject ?? e.file)}</a><div class="muted">${esc(e.file)}</div></td>
<td class="nowrap">${esc(meta?.date ?? '')}</td><td>${esc(meta?.template ?? '')}</td>
<td class="nowrap">${e.ok ? `${(e.htmlBytes / 1024).toFixed(1)} KB` : ''}</td><td class="status">${status(store, e)}</td></tr>`;
    })
    .join('\n');
  return `<main id="main" data-count="${store.issues.size}">${problemBox(store.globalProblem, 'global-problem')}
<table><thead><tr><th>Subject</th><th class="nowrap">Date</th><th>Template</th><th class="nowrap">HTML size</th><th>Check</th></tr></thead>
<tbody>${rows || '<tr><td colspan="5">No issues yet: add a Markdown file to issues/.</td></tr>'}</tbody></table></main>`;
}

export function indexPage(store: PreviewStore): string {
  return layout(
    'roundup preview',
    `<header class="bar"><h1>roundup preview</h1><span id="count">${store.issues.size} issue(s)</span></header>${indexMain(store)}`,
    INDEX_SCRIPT,
  );
}

export function issuePage(store: PreviewStore, entry: IssueEntry): string {
  const options = store.recipients.map((r, i) => `<option value="${i}">${esc(r.label)}</option>`).join('');
  const body = `<header class="bar"><a href="/">← All issues</a><h1 id="title">${esc(entry.file)}</h1>
<label>Reader <select id="recipient">${options}</select></label>
<label><input type="checkbox" id="dark"> Dark mode</label></header>
<main>
${problemBox(undefined)}
<div class="inbox" aria-label="Inbox preview"><span class="from" id="from"></span><span class="subject" id="subject"></span><span class="pre" id="preheader"></span></div>
<section id="preflight" aria-labelledby="preflight-title"><h2 id="preflight-title">Preflight</h2><ul class="checks" id="checks"></ul></section>
<div class="tabs" role="tablist"><button role="tab" id="tab-html" aria-selected="true">Email</button><button role="tab" id="tab-text" aria-selected="false">Plain text</button></div>
<div class="pane" id="pane-html" role="tabpanel"><div class="frames">
<figure><figcaption>Desktop (640 px)</figcaption><iframe id="desktop" title="Email at desktop width" sandbox="allow-same-origin allow-popups allow-popups-to-escape-sandbox"></iframe></figure>
<figure><figcaption>Phone (375 px)</figcaption><iframe id="phone" title="Email at phone width" sandbox="allow-same-origin allow-popups allow-popups-to-escape-sandbox"></iframe></figure>
</div></div>
<div class="pane" id="pane-text" role="tabpanel" hidden><pre id="text"></pre></div>
</main>`;
  return layout(`${entry.slug}: roundup preview`, body, `const SLUG=${scriptJson(entry.slug)};\n${ISSUE_SCRIPT}`);
}
