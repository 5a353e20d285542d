/**
 * Why a delivery failed, from an SMTP reply / diagnostic text and an enhanced status code.
 *
 * The phrase lists follow the wording real MTAs use (Postfix, Sendmail, Exim, qmail, Exchange /
 * Office 365, Gmail, Yahoo, Amazon SES, Courier, Domino…) and RFC 3463's status codes, not any
 * one message. Order matters: a reply that blames the sender, the content or the moment
 * (blocked, spam, policy, authentication, quota, rate) is checked before "user unknown", because
 * wrongly suppressing a good address costs more than keeping a bad one a little longer.
 */

export type FailureKind = 'hard' | 'soft';

export interface Reason {
  kind: FailureKind;
  /** A short name: userunknown, hostunknown, hasmoved, notaccept, mailboxfull, blocked, spam, … */
  reason: string;
  /** True for reasons about the sender's reputation or authentication (shown in `status`). */
  reputation?: boolean;
}

type Rule = [reason: string, kind: FailureKind, pattern: RegExp, reputation?: true];

/** Soft reasons that say the receiver distrusts the sender, its IP or its content. */
const SENDER_RULES: Rule[] = [
  [
    'blocked',
    'soft',
    /\b(?:blacklist|black list|blocklist|block list|denylist|(?:is|are|was|been|currently) listed (?:at|in|on|by)|rbl|dnsbl|spamhaus|spamcop|barracudacentral|sorbs|client host .{0,80}(?:blocked|rejected)|blocked using|ip (?:address )?(?:\S+ )?(?:has been |is |was )?(?:blocked|banned|blacklisted)|your (?:ip|server|host|network)\b.{0,60}\b(?:blocked|banned|listed|rejected)|poor reputation|bad reputation|reputation|not accepted from your (?:ip|host)|access denied\. ip|connection refused by|refused to talk to me|rejected due to (?:local )?policy|blocked for abuse|temporarily deferred due to (?:user|unexpected volume)|has been temporarily blocked|sending mta|messages from \S+ temporarily deferred|service refuses to accept|banned sending ip|protection outbound|your access to this mail system has been rejected)\b/i,
    true,
  ],
  [
    'requireptr',
    'soft',
    /\b(?:reverse (?:dns|hostname|lookup|address)|no ptr|ptr record|rdns|does not have a valid hostname|cannot find your hostname|cannot resolve your (?:address|hostname)|unresolvable (?:address|host)|client host rejected: cannot find your|no reverse|helo command rejected|invalid helo|bad helo|helo.{0,40}(?:reject|invalid))/i,
    true,
  ],
  [
    'authfailure',
    'soft',
    /\b(?:spf|dkim|dmarc)\b.{0,80}\b(?:fail|failed|failure|reject|rejected|not pass|does not pass|check|policy|validation|alignment|unauthenticated)|\b(?:unauthenticated|not authenticated|authentication (?:failed|required|check)|sender (?:is )?not authori[sz]ed|5\.7\.(?:2[3-7]|1\b.{0,40}(?:spf|dkim|dmarc)))/i,
    true,
  ],
  [
    'spam',
    'soft',
    /\b(?:spam|junk mail|unsolicited|bulk mail|uce\b|content (?:filter|rejected)|message (?:content )?(?:rejected|refused) (?:as|because|due)|looks like spam|suspicious|phishing|high probability of|scored? (?:too high|\d)|message filtered|rejected by (?:the )?(?:recipient'?s? )?(?:filter|content)|filtered)/i,
    true,
  ],
  ['virus', 'soft', /\b(?:virus|malware|infected|trojan|worm|dangerous attachment|banned attachment|executable)/i],
  [
    'ratelimit',
    'soft',
    /\b(?:rate limit|rate-limit|ratelimit|too many (?:messages|emails|mails|connections|recipients|concurrent|sessions)|sending too fast|too fast|receiving mail at a rate|exceeded (?:the )?(?:rate|limit|quota of messages)|throttl|try again later|temporarily deferred|unusual rate|frequency)\b/i,
    true,
  ],
  [
    'policy',
    'soft',
    /\b(?:policy|prohibited|not permitted|not allowed|administrative(?:ly)? prohibit|denied by|security|encryption required|tls required|must use tls|starttls|sender address rejected|sender rejected|domain of sender|sender domain|sender verify|verification failed|not authori[sz]ed to send|restricted|dmarc)\b/i,
    true,
  ],
  [
    'norelaying',
    'soft',
    /\b(?:relay(?:ing)? (?:access )?(?:denied|not permitted|prohibited|not allowed)|unable to relay|not (?:allowed|permitted) to relay|we do not relay|relay not permitted|no relaying|cannot relay|not a gateway|open relay)\b/i,
  ],
];

/** Soft reasons about the recipient's mailbox or the moment, not its existence. */
const MAILBOX_RULES: Rule[] = [
  [
    'mailboxfull',
    'soft',
    /\b(?:mailbox (?:is )?full|mailbox full|over ?quota|quota (?:exceeded|exceed|full)|exceeded (?:the |its |his |her )?(?:storage|quota|mailbox)|exceeds? (?:the )?(?:storage|quota|size limit of the mailbox)|insufficient (?:disk )?(?:space|storage)|not enough (?:space|storage)|mailbox size limit|disk (?:full|quota)|storage (?:full|limit)|user is over|is full|too much mail|mail ?box (?:has )?exceeded|out of storage|overquota)\b/i,
  ],
  [
    'suspend',
    'soft',
    /\b(?:account (?:has been |is )?(?:disabled|suspended|deactivated|locked|inactive|blocked|frozen|expired)|mailbox (?:has been |is )?(?:disabled|suspended|deactivated|locked|inactive|frozen)|(?:disabled|suspended|inactive|deactivated) (?:account|mailbox|user)|user (?:account )?(?:is )?(?:disabled|suspended|inactive)|temporarily (?:disabled|suspended)|is not active|not activated|(?:account|mailbox)\b.{0,40}\b(?:is|has been) (?:disabled|suspended|inactive|deactivated|locked))\b/i,
  ],
  [
    'exceedlimit',
    'soft',
    /\b(?:message (?:is )?too (?:large|big)|message size exceeds|exceeds? (?:the )?(?:maximum )?(?:message )?size|size limit|message length exceeds|mail size|too many recipients|line too long|header (?:is )?too (?:long|large))\b/i,
  ],
  [
    'expired',
    'soft',
    /\b(?:retry (?:time|timeout)|timeout exceeded|time(?:d)? ?out|gave up|giving up|could not be delivered for \d+|has been (?:delayed|queued)|delivery (?:time|period) expired|message expired|expired|delayed|deferred|unable to deliver .{0,40}within|was not delivered within|not yet been delivered|no (?:answer|response) from|(?:still|remains) undeliverable|retry limit|have been failing for a long time)\b/i,
  ],
  [
    'networkerror',
    'soft',
    /\b(?:connection (?:refused|reset|timed out|closed|dropped|lost)|could not connect|unable to connect|can'?t connect|network (?:is )?unreachable|no route to host|host (?:is )?unreachable|lost connection|conversation with .{0,80} timed out|malformed or unexpected name server reply|name server (?:failure|timeout)|dns (?:error|failure|timeout|lookup failed)|temporary (?:failure|lookup failure|dns)|too many hops|mail loop|routing loop|loops back to myself|hop count exceeded)\b/i,
  ],
  [
    'systemerror',
    'soft',
    /\b(?:system (?:error|config)|internal (?:server )?error|local error|server error|i\/o error|out of memory|resources? (?:temporarily )?unavailable|not available|unavailable|service (?:not available|unavailable)|temporar(?:y|ily))\b/i,
  ],
  [
    'syntaxerror',
    'soft',
    /\b(?:syntax error|command unrecognized|unrecognized command|bad sequence of commands|command not implemented|parameter not implemented)\b/i,
  ],
  [
    'contenterror',
    'soft',
    /\b(?:invalid (?:mime|message|header|character)|malformed (?:message|header|mime)|bad (?:header|mime)|8-?bit|not rfc|rfc ?5322|rfc ?2822|rfc ?822 (?:compliant|violation)|message (?:is )?not compliant|content error)\b/i,
  ],
];

/**
 * Lotus Domino / Notes say "not listed in the Domino Directory" in the server's language; the
 * Japanese forms ("… は Domino ディレクトリには見つかりません", "ディレクトリのリストにありません")
 * are the same directory lookup. Kept apart: `\b` does not work next to Japanese text.
 */
export const DOMINO_DIRECTORY_JA = /ディレクトリ(?:には見つかりません|のリストにありません)/;

/** The address itself is gone: these are the only reasons that suppress at once. */
const HARD_RULES: Rule[] = [
  [
    'hasmoved',
    'hard',
    /\b(?:has moved|address (?:has )?changed|moved (?:permanently|to)|no longer (?:at|valid at|with)|forwarding address|please (?:try|use|resend to) <?[^\s@<>]+@|user not local; please try)\b/i,
  ],
  [
    'hostunknown',
    'hard',
    /\b(?:host (?:or domain name )?not found|host \S+ not found|domain (?:name )?not found|no such (?:domain|host)|unknown (?:domain|host)|host unknown|domain (?:does not|doesn'?t) exist|nxdomain|unrouteable (?:mail )?domain|unroutable (?:mail )?domain|no mx (?:record|host)|name or service not known|(?:domain|host) (?:name )?(?:is )?(?:invalid|unknown)|recipient domain .{0,40}(?:invalid|unknown|not found)|illegal host|domain is not (?:valid|configured|registered)|bad destination (?:system|mailbox address)|domain (?:\S+ )?(?:isn'?t|is not) in my list of allowed rcpthosts|unrouteable address|all relevant mx records point to non-existent hosts|couldn'?t find a mail exchanger or ip address|couldn'?t find any host named)\b/i,
  ],
  [
    'notaccept',
    'hard',
    /\b(?:does not accept (?:any )?(?:e-?)?mail|doesn'?t accept (?:e-?)?mail|not accepting (?:any )?(?:e-?)?mail|null mx|accepts no mail|no mail (?:is )?accepted|domain does not receive|does not receive mail|mx or srv record indicated no smtp service|no smtp service)\b/i,
  ],
  [
    'userunknown',
    'hard',
    /\b(?:user (?:is )?unknown|unknown (?:user|recipient|mailbox|address|local[- ]part|account)|no such (?:user|recipient|mailbox|address|account|person|local user)|(?:user|recipient|mailbox|address|account|e-?mail address|email account|addressee)(?: name)? (?:\S+ )?(?:does not|doesn'?t|did not) exist|(?:user|mailbox|recipient|address|account) not found|not (?:a )?(?:valid|known) (?:user|recipient|mailbox|address)|invalid (?:recipient|mailbox|user|address|e-?mail address)|recipient (?:address )?(?:invalid|unknown|not (?:found|recogni[sz]ed|valid))|mailbox (?:unavailable|not available|does not exist|not found|name not allowed|is unavailable)|no mailbox|unknown or illegal alias|addressee unknown|not listed in (?:domino )?directory|user not listed|(?:is|was) not (?:a )?(?:valid|known) (?:user|mailbox|recipient)|no account|account does not exist|address (?:unknown|invalid)|user doesn'?t have a .{0,30} account|this user doesn'?t have|not our customer|unknown local part|no such local user|rejected: not in (?:the )?(?:list|directory)|sorry, no mailbox here by that name|user not found|couldn'?t find the recipient|invalid mailbox|bad recipient|recipient not found|nosuchuser|unknown address|5\.4\.1 .{0,60}recipient address rejected: access denied|address does not exist|user doesn'?t exist|userunknown)\b/i,
  ],
  ['userunknown', 'hard', DOMINO_DIRECTORY_JA],
];

const RULES: Rule[] = [...SENDER_RULES, ...MAILBOX_RULES.slice(0, 3), ...HARD_RULES, ...MAILBOX_RULES.slice(3)];

/**
 * A statement that the mailbox exists but cannot take mail now (disabled, suspended, over
 * quota), wherever the report says it. Mobile carriers answer "550 user unknown" at RCPT for a
 * suspended contract and explain it in the notice ("The user(s) account is disabled."): the
 * more specific statement wins, as it does within one reply (these rules come before the hard ones).
 */
export function mailboxStateIn(text: string): Reason | undefined {
  const t = text.replace(/\s+/g, ' ');
  for (const [reason, kind, re] of MAILBOX_RULES.slice(0, 2)) if (re.test(t)) return { kind, reason };
  return undefined;
}

/**
 * PowerMTA's own verdict on a recipient (`X-PowerMTA-BounceCategory` in its DSNs; the
 * categories are documented in its user's guide). It is the sending relay's classification of
 * the whole SMTP exchange, which it saw and the DSN only summarises, so it settles the kind.
 */
export function powerMtaCategory(category: string): Reason | undefined {
  const table: Record<string, Reason> = {
    'bad-mailbox': { kind: 'hard', reason: 'userunknown' },
    'bad-domain': { kind: 'hard', reason: 'hostunknown' },
    'inactive-mailbox': { kind: 'soft', reason: 'suspend' },
    'quota-issues': { kind: 'soft', reason: 'mailboxfull' },
    'spam-related': { kind: 'soft', reason: 'spam', reputation: true },
    'policy-related': { kind: 'soft', reason: 'policy', reputation: true },
    'invalid-sender': { kind: 'soft', reason: 'policy', reputation: true },
    'content-related': { kind: 'soft', reason: 'contenterror' },
    'virus-related': { kind: 'soft', reason: 'virus' },
    'message-expired': { kind: 'soft', reason: 'expired' },
    'no-answer-from-host': { kind: 'soft', reason: 'networkerror' },
    'bad-connection': { kind: 'soft', reason: 'networkerror' },
    'routing-errors': { kind: 'soft', reason: 'networkerror' },
    'relaying-issues': { kind: 'soft', reason: 'norelaying' },
    'protocol-errors': { kind: 'soft', reason: 'syntaxerror' },
    'bad-configuration': { kind: 'soft', reason: 'systemerror' },
  };
  return table[category.trim().toLowerCase()];
}

/**
 * Amazon SES receiving (Reporting-MTA inbound-smtp.<region>.amazonaws.com) sends a DSN only
 * for a receipt rule's Bounce action: SES accepted the message and the domain owner's rule
 * chose to return it with a canned reply ("Mailbox does not exist", "Mailbox full", "Message
 * content rejected"…, each with a fixed status). SES has no mailboxes to look up, so the words
 * are the owner's filter speaking, never evidence that the address is gone.
 */
export const isSesReceiptRule = (reportingMta: string) => /\binbound-smtp\.[a-z0-9-]+\.amazonaws\.com\b/i.test(reportingMta);

/** The first enhanced status code (RFC 3463) in a text, e.g. "5.1.1". */
export function statusIn(text: string): string | undefined {
  return /(?:^|[^\d.])([245]\.\d{1,3}\.\d{1,3})(?![\d.]*\d)/.exec(text)?.[1];
}

/** The SMTP basic reply code (550, 452…) at the start of a reply in the text. */
export function replyCodeIn(text: string): string | undefined {
  return /(?:^|[\s:;(])([245][0-5]\d)(?:[ -]|$)/m.exec(text)?.[1];
}

/** Reasons from RFC 3463 codes alone, when the text says nothing recognisable. */
function byStatus(status: string): Reason | undefined {
  const [cls, sub, det] = status.split('.');
  if (cls === '4') return { kind: 'soft', reason: sub === '4' && det === '7' ? 'expired' : 'temporary' };
  if (cls !== '5') return undefined;
  switch (`${sub}.${det}`) {
    case '1.1':
      return { kind: 'hard', reason: 'userunknown' };
    case '1.2':
      return { kind: 'hard', reason: 'hostunknown' };
    case '1.6':
      return { kind: 'hard', reason: 'hasmoved' };
    case '1.10':
      return { kind: 'hard', reason: 'notaccept' };
    case '2.2':
    case '2.3':
      return { kind: 'soft', reason: 'mailboxfull' };
    case '2.1':
      return { kind: 'soft', reason: 'suspend' };
    case '3.4':
      return { kind: 'soft', reason: 'exceedlimit' };
    case '4.7':
      return { kind: 'soft', reason: 'expired' };
  }
  if (sub === '7') return { kind: 'soft', reason: 'policy', reputation: true };
  if (sub === '4') return { kind: 'soft', reason: 'networkerror' };
  if (sub === '3') return { kind: 'soft', reason: 'systemerror' };
  if (sub === '5') return { kind: 'soft', reason: 'syntaxerror' };
  if (sub === '6') return { kind: 'soft', reason: 'contenterror' };
  return { kind: 'soft', reason: 'undefined' };
}

/**
 * Classify one failed recipient from its diagnostic text and status code (either may be empty).
 * A temporary failure (4.x.x or a 4xx reply) is never hard, whatever the text says.
 */
export function reasonOf(diagnostic: string, status?: string): Reason {
  const text = diagnostic.replace(/\s+/g, ' ');
  const code = status && /^[245]\.\d+\.\d+$/.test(status) && status !== '5.0.0' && status !== '4.0.0' ? status : (statusIn(text) ?? status);
  const reply = replyCodeIn(text);
  const temporary = code?.startsWith('4') || (!code?.startsWith('5') && reply?.startsWith('4'));
  // The words decide first (servers put generic codes on specific replies, e.g. 5.0.0 or 5.7.1
  // for "user unknown"); the code decides when the words say nothing recognisable.
  const fromCode = code ? byStatus(code) : undefined;
  for (const [reason, kind, re, reputation] of RULES) {
    if (!re.test(text)) continue;
    // "Host not found, try again" (a resolver timeout) is not "no such domain".
    if (kind === 'hard' && (temporary || /\btry again\b|\btemporar(?:y|ily)\b/i.test(text))) return { kind: 'soft', reason };
    return reputation ? { kind, reason, reputation } : { kind, reason };
  }
  if (fromCode) return temporary && fromCode.kind === 'hard' ? { kind: 'soft', reason: fromCode.reason } : fromCode;
  if (temporary) return { kind: 'soft', reason: 'temporary' };
  return { kind: 'soft', reason: 'undefined' };
}

/**
 * Wording that names the lookup which failed (a provider's account directory, Postfix's
 * recipient tables, qmail's local delivery, Domino's directory, Exchange's resolver): a
 * content filter does not say these, so they stand wherever in the session they were said.
 * Yahoo, for one, answers "554 delivery error: dd This user doesn't have a yahoo.com account"
 * after DATA. The Yahoo form is matched whole ("delivery error: dd"): the same sentence without
 * it, in a notice with no SMTP reply, is some other system's template.
 */
const NAMES_THE_LOOKUP =
  /delivery error: dd this user doesn'?t have a \S+ account|the email account that you tried to reach does not exist|nosuchuser|resolver\.adr\.recip(?:ient)?notfound|user unknown in (?:local recipient|virtual (?:mailbox|alias)|relay recipient) table|no mailbox here by that name|not listed in (?:the )?(?:domino|public name and address book|name and address book|directory)|recipient address rejected: user unknown/i;

/** RFC 3463 X.1.x: the destination address itself is bad (not X.1.2 host, X.1.4 ambiguous, X.1.6 moved, X.1.7/X.1.8 sender). */
const ADDRESS_STATUS = /^5\.1\.(?!(?:2|4|6|7|8)$)\d{1,3}$/;

/**
 * "User unknown" from the receiving side makes a hard bounce only when the refusal is tied to
 * the address. RFC 5321 §3.3 has a server refuse a recipient it does not have at RCPT TO, and
 * RFC 3463 gives that refusal an addressing code (5.1.1); a "user unknown" with neither is the
 * answer of something that judged the message, not the mailbox (Japanese mobile carriers and
 * content appliances say it for senders the reader blocked, and for suspended contracts).
 * Sisimai draws the same line: its UserUnknown needs status X.1.1 or the RCPT command, and the
 * rest is Filtered ("rejected after the SMTP DATA command"). A truly dead address without that
 * evidence is still suppressed by the soft-bounce rule after `softLimit` sends.
 *
 * `statuses` are the enhanced codes known for this recipient (the DSN's Status field and the
 * one in the reply); `text` is what was said about the recipient; `whole` the report's text.
 */
export function userUnknownStands(statuses: readonly (string | undefined)[], text: string, whole = text): boolean {
  if (NAMES_THE_LOOKUP.test(text) || DOMINO_DIRECTORY_JA.test(text)) return true;
  if (refusedAfterData(text, whole)) return false;
  if (statuses.some((s) => s && ADDRESS_STATUS.test(s))) return true;
  // The failing command was RCPT TO: Postfix "(in reply to RCPT TO command)", Exim "after RCPT
  // TO:", Sendmail's ">>> RCPT To:" transcript, "SMTP:RCPT host …". Not a mere mention: an
  // envelope summary ("RCPT TO: a@b") or ORCPT (RFC 3461) says nothing about what failed.
  return /\b(?:in reply to|after)\s+rcpt\s+to\b|>>>\s*rcpt\s+to\b|\bsmtp:\s*rcpt\b|\brcpt(?:\s+to)?\s+command\b/i.test(text);
}

/**
 * Whether the receiving server refused the message after DATA rather than at RCPT TO. A
 * recipient that does not exist is refused at RCPT (RFC 5321 §3.3); "user unknown" after the
 * content was sent is a content filter's answer (Japanese mobile carriers, some appliances),
 * so it says nothing reliable about the address.
 */
export function refusedAfterData(text: string, whole = text): boolean {
  if (
    /\bin reply to (?:end of )?data\b|\bafter (?:end of )?data\b|\bdata command (?:failed|rejected)|\bsmtp command\s*:?\s*\n?\s*data\b/i.test(
      text,
    )
  )
    return true;
  // With PIPELINING (RFC 2920) Sendmail's transcript shows the RCPT replies under ">>> DATA",
  // followed by DATA's own 503 ("Need RCPT", "No valid recipients", "All RCPT commands were
  // rejected", "Valid RCPT command must precede DATA"): the refusal was the RCPT's after all.
  return (
    />>> data\s*\r?\n\s*<<< ?5\d\d/i.test(text) &&
    !/need rcpt|no valid recipients|all rcpt commands were rejected|valid rcpt command must precede data/i.test(whole)
  );
}
