/**
 * Sender settings that decide whether mail lands and whether bounces are ever read: the return
 * path (config `bounces.address`) and DKIM alignment with the From domain (DMARC). Config-level:
 * `roundup check` reports them once per run, not once per issue.
 */
import type { Finding, ProjectContext } from './types.js';

/** Whether `from` is `dkim` or a subdomain of it (DMARC relaxed alignment, without the public-suffix list). */
export function alignedDomain(from: string, dkim: string): boolean {
  const f = from.toLowerCase().replace(/\.$/, '');
  const d = dkim.toLowerCase().replace(/\.$/, '');
  return f === d || f.endsWith(`.${d}`);
}

export function checkDeliverability({ config, configFile: file, configLine: lineOf }: ProjectContext): Finding[] {
  const out: Finding[] = [];
  if (!config.bounces.address) {
    out.push({
      severity: 'warning',
      rule: 'bounces-address',
      message:
        'no bounces.address: bounces and complaints go to the From mailbox, where nothing reads them; set bounces.address (e.g. bounces@news.example.org) and run "roundup bounces scan" on that mailbox',
      file,
      line: lineOf(['from']),
    });
  }
  const fromDomain = config.from.email.slice(config.from.email.lastIndexOf('@') + 1);
  if (config.dkim && !alignedDomain(fromDomain, config.dkim.domain)) {
    out.push({
      severity: 'warning',
      rule: 'dkim-alignment',
      message: `dkim.domain "${config.dkim.domain}" does not align with the From domain "${fromDomain}": DMARC needs the From domain to be the DKIM domain or a subdomain of it; sign with d=${fromDomain} (or a parent domain)`,
      file,
      line: lineOf(['dkim', 'domain']),
    });
  }
  return out;
}
