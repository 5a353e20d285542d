/** Config-level preflight: the return path and DKIM alignment with the From domain (DMARC). */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseDocument } from 'yaml';
import { describe, expect, it } from 'vitest';
import { alignedDomain } from '../../src/check/deliverability.js';
import { runProjectChecks } from '../../src/check/index.js';
import { loadConfig } from '../../src/config.js';
import { makeProject } from '../helpers/project.js';

function project(set: [string[], unknown][]) {
  const root = makeProject();
  const file = path.join(root, 'roundup.config.yaml');
  const doc = parseDocument(readFileSync(file, 'utf8'));
  for (const [k, v] of set) doc.setIn(k, v);
  writeFileSync(file, doc.toString());
  return root;
}

describe('deliverability checks', () => {
  it('aligns a From domain with its DKIM domain or a parent of it, nothing else', () => {
    expect(alignedDomain('hartwellfinch.example', 'hartwellfinch.example')).toBe(true);
    expect(alignedDomain('news.hartwellfinch.example', 'hartwellfinch.example')).toBe(true);
    expect(alignedDomain('Hartwellfinch.Example', 'hartwellfinch.example.')).toBe(true);
    expect(alignedDomain('hartwellfinch.example', 'news.hartwellfinch.example')).toBe(false);
    expect(alignedDomain('otherhartwellfinch.example', 'hartwellfinch.example')).toBe(false);
    expect(alignedDomain('hartwellfinch.example', 'esp.example')).toBe(false);
  });

  it('warns about a missing return path, and a DKIM domain the From domain does not align with, at the config line', () => {
    const root = project([[['dkim'], { domain: 'esp.example', selector: 's1', privateKey: 'k.pem' }]]);
    const f = runProjectChecks({ config: loadConfig(root), root });
    expect(f.map((x) => x.rule)).toEqual(['bounces-address', 'dkim-alignment']);
    const dkim = f[1];
    expect(dkim.message).toMatch(/dkim\.domain "esp\.example" does not align with the From domain "hartwellfinch\.example"/);
    const lines = readFileSync(path.join(root, 'roundup.config.yaml'), 'utf8').split('\n');
    expect(lines[dkim.line! - 1]).toMatch(/domain: esp\.example/);
  });

  it('is quiet when both are right', () => {
    const root = project([
      [['bounces', 'address'], 'bounces@news.hartwellfinch.example'],
      [['dkim'], { domain: 'hartwellfinch.example', selector: 's1', privateKey: 'k.pem' }],
    ]);
    expect(runProjectChecks({ config: loadConfig(root), root })).toEqual([]);
  });
});
