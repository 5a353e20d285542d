/**
 * The pages `roundup serve` answers with, pure. Forms post back to a relative URL (the same
 * page, or ../r/<token>), so they keep working behind a reverse proxy that mounts the server
 * under a path prefix.
 */
import { esc, htmlPage, type Brand } from './html.js';

const ONE_CLICK = '<input type="hidden" name="List-Unsubscribe" value="One-Click">';

export const pages = {
  /** GET /u/<token>: a GET never unsubscribes (scanners and previewers follow links). */
  confirmUnsubscribe: (b: Brand, email: string) =>
    htmlPage(b, {
      title: 'Unsubscribe',
      body: [
        '<h1>Unsubscribe?</h1>',
        `<p>Stop sending newsletters from ${esc(b.organisation)} to <strong>${esc(email)}</strong>.</p>`,
        `<form method="post" action="">${ONE_CLICK}<button type="submit">Unsubscribe</button></form>`,
        '<p class="muted">Nothing changes until you press the button.</p>',
      ].join('\n'),
    }),

  /** After the POST: done, with a way back. */
  unsubscribed: (b: Brand, email: string, resubscribePath: string) =>
    htmlPage(b, {
      title: 'Unsubscribed',
      body: [
        '<h1>You have been unsubscribed</h1>',
        `<p><strong>${esc(email)}</strong> will not receive any more newsletters from ${esc(b.organisation)}.</p>`,
        `<form method="post" action="${esc(resubscribePath)}"><p>Unsubscribed by mistake?</p>` +
          '<button type="submit">Resubscribe</button></form>',
      ].join('\n'),
    }),

  confirmResubscribe: (b: Brand, email: string) =>
    htmlPage(b, {
      title: 'Resubscribe',
      body: [
        '<h1>Resubscribe?</h1>',
        `<p>Start sending newsletters from ${esc(b.organisation)} to <strong>${esc(email)}</strong> again.</p>`,
        '<form method="post" action=""><button type="submit">Resubscribe</button></form>',
      ].join('\n'),
    }),

  resubscribed: (b: Brand, email: string) =>
    htmlPage(b, {
      title: 'Resubscribed',
      body: `<h1>Welcome back</h1>\n<p><strong>${esc(email)}</strong> will receive our newsletters again from the next issue.</p>`,
    }),

  /** The address was suppressed for another reason (a bounce, by hand): a person should look. */
  resubscribeRefused: (b: Brand) =>
    htmlPage(b, {
      title: 'Resubscribe',
      body:
        '<h1>We could not resubscribe you here</h1>\n' +
        `<p>This address was removed from our lists for a reason other than unsubscribing. Please reply to any newsletter from ${esc(b.organisation)} and we will sort it out.</p>`,
    }),

  /** A resubscribe link past its time, or for an unsubscribe that has since been replaced. */
  resubscribeExpired: (b: Brand) =>
    htmlPage(b, {
      title: 'Link expired',
      body:
        '<h1>This resubscribe link has expired</h1>\n' +
        `<p>It belonged to an earlier unsubscribe. To receive newsletters from ${esc(b.organisation)} again, reply to any newsletter and we will add you back.</p>`,
    }),

  /** GET /u/: the archive pages' footer link, which belongs to nobody. */
  howToUnsubscribe: (b: Brand) =>
    htmlPage(b, {
      title: 'Unsubscribe',
      body:
        '<h1>Unsubscribe</h1>\n' +
        `<p>To stop receiving newsletters from ${esc(b.organisation)}, use the “Unsubscribe” link at the foot of any email we sent you: it is personal to your address.</p>`,
    }),

  /** Altered, truncated or forged tokens: one page for all, revealing nothing. */
  badLink: (b: Brand) =>
    htmlPage(b, {
      title: 'Link not valid',
      body:
        '<h1>This link is not valid</h1>\n' +
        '<p>It may have been cut short when it was copied. Open it again from the email itself, or use the link in a more recent issue.</p>',
    }),

  badRequest: (b: Brand) =>
    htmlPage(b, { title: 'Bad request', body: '<h1>Bad request</h1>\n<p>Use the button on the page to confirm.</p>' }),

  tooLarge: (b: Brand) => htmlPage(b, { title: 'Request too large', body: '<h1>Request too large</h1>' }),

  notFound: (b: Brand) => htmlPage(b, { title: 'Not found', body: '<h1>Page not found</h1>' }),

  methodNotAllowed: (b: Brand) => htmlPage(b, { title: 'Method not allowed', body: '<h1>Method not allowed</h1>' }),

  serverError: (b: Brand) =>
    htmlPage(b, { title: 'Something went wrong', body: '<h1>Something went wrong</h1>\n<p>Please try again in a few minutes.</p>' }),
};
