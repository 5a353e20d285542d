/**
 * Browser-side scripts of the preview pages (plain ES2020, no build step). Both listen to
 * /events (server-sent events) and update the page in place: no reload, so scroll position,
 * the selected tab and the dark-mode toggle survive every save.
 */

/** Shared: subscribe to change events; `onChange(slugs)` gets a list of slugs or "*". */
const EVENTS = `
function listen(onChange) {
  let opened = false;
  const es = new EventSource('/events');
  es.onopen = () => { if (opened) onChange('*'); opened = true; };
  es.onmessage = (ev) => { try { onChange(JSON.parse(ev.data).slugs); } catch (e) { console.error(e); } };
}
`;

export const INDEX_SCRIPT = `${EVENTS}
listen(async () => {
  const res = await fetch('/index-main', { cache: 'no-store' });
  const doc = new DOMParser().parseFromString(await res.text(), 'text/html');
  const fresh = doc.getElementById('main');
  if (!fresh) return;
  document.getElementById('main').replaceWith(fresh);
  document.getElementById('count').textContent = fresh.dataset.count + ' issue(s)';
});
`;

/** Expects a global SLUG. */
export const ISSUE_SCRIPT = `${EVENTS}
const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);
const view = { r: Number(params.get('r') || 0), dark: params.get('dark') === '1', version: -1 };
$('recipient').value = String(view.r);
if ($('recipient').selectedIndex < 0) { view.r = 0; $('recipient').value = '0'; }
$('dark').checked = view.dark;
const base = '/issue/' + encodeURIComponent(SLUG);

function frameUrl() {
  return base + '/email.html?r=' + view.r + (view.dark ? '&dark=1' : '') + '&v=' + view.version;
}
function fit(frame) {
  // Same origin (sandbox keeps allow-same-origin, scripts stay off): size the frame to the email.
  // offsetHeight, not scrollHeight: scrollHeight is at least the frame's current height, so a
  // frame would never shrink after a section is deleted.
  try { frame.style.height = Math.max(300, frame.contentDocument.documentElement.offsetHeight + 4) + 'px'; } catch (e) {}
}
for (const f of [$('desktop'), $('phone')]) f.addEventListener('load', () => fit(f));

function showProblem(text) {
  const p = $('problem');
  p.hidden = !text;
  p.querySelector('code').textContent = text || '';
}

function renderChecks(findings) {
  const ul = $('checks');
  ul.textContent = '';
  if (!findings.length) { const li = document.createElement('li'); li.className = 'ok'; li.textContent = 'No problems found.'; ul.append(li); return; }
  for (const f of findings) {
    const li = document.createElement('li');
    li.className = f.severity === 'error' ? 'err' : 'warn';
    li.textContent = (f.severity === 'error' ? 'Error: ' : 'Warning: ') + (f.file ? f.file + (f.line ? ':' + f.line : '') + ': ' : '') + f.message + ' [' + f.rule + ']';
    ul.append(li);
  }
}

let asked = 0;
async function refresh(reloadFrames) {
  // Saves can come faster than answers: only the newest request may update the page.
  const mine = ++asked;
  const res = await fetch(base + '/state.json?r=' + view.r, { cache: 'no-store' });
  const s = res.ok ? await res.json() : null;
  if (mine !== asked) return;
  if (!s) { showProblem('This issue is no longer in issues/ (renamed or deleted).'); return; }
  showProblem(s.problem);
  if (s.ok) {
    $('from').textContent = s.fromName;
    $('subject').textContent = s.subject;
    $('preheader').textContent = s.preheader;
    $('text').textContent = s.text;
    renderChecks(s.findings);
    syncReaders(s.readers);
    document.body.dataset.shown = '';
    if (reloadFrames || s.version !== view.version) {
      view.version = s.version;
      $('desktop').src = frameUrl();
      $('phone').src = frameUrl();
    }
  }
  // The last good email stays in the frames while the source is broken.
  document.body.dataset.version = String(s.version);
  document.body.dataset.state = s.ok ? 'ok' : 'error';
}

/** The example list may change while the page is open: keep the reader menu in step. */
function syncReaders(labels) {
  const sel = $('recipient');
  if ([...sel.options].map((o) => o.text).join('\\n') === labels.join('\\n')) return;
  sel.replaceChildren(...labels.map((label, i) => new Option(label, String(i))));
  if (view.r >= labels.length) { view.r = 0; remember(); }
  sel.value = String(view.r);
}

function remember() {
  const q = new URLSearchParams();
  if (view.r) q.set('r', String(view.r));
  if (view.dark) q.set('dark', '1');
  history.replaceState(null, '', location.pathname + (q.size ? '?' + q : ''));
}
$('recipient').addEventListener('change', (e) => { view.r = Number(e.target.value); remember(); refresh(true); });
$('dark').addEventListener('change', (e) => { view.dark = e.target.checked; remember(); refresh(true); });
function tab(which) {
  for (const t of ['html', 'text']) {
    $('tab-' + t).setAttribute('aria-selected', String(t === which));
    $('pane-' + t).hidden = t !== which;
  }
}
$('tab-html').addEventListener('click', () => tab('html'));
$('tab-text').addEventListener('click', () => tab('text'));

listen((slugs) => { if (slugs === '*' || slugs.includes(SLUG)) refresh(false); });
refresh(true);
`;
