import { describe, expect, it } from 'vitest';
import { DEFAULT_CHROMIUM, readEnvironment } from '../src/env.js';
import { useColour } from '../src/terminal.js';

describe('readEnvironment', () => {
  it('maps each variable to its setting', () => {
    const env = readEnvironment(
      {
        ROUNDUP_STATE_DIR: 'state',
        ROUNDUP_DATABASE_URL: 'postgres://db.example/roundup',
        ROUNDUP_SECRET: '  a secret with spaces around  ',
        ROUNDUP_CHROMIUM: '/opt/chrome',
        SMTP_URL: 'smtp://mail.example:587',
        ROUNDUP_DKIM_PRIVATE_KEY: 'keys/dkim.pem',
        UNRELATED: 'x',
      },
      '/project',
    );
    expect(env).toEqual({
      root: '/project',
      stateDir: 'state',
      databaseUrl: 'postgres://db.example/roundup',
      secret: 'a secret with spaces around',
      chromiumPath: '/opt/chrome',
      smtpUrl: 'smtp://mail.example:587',
      dkimPrivateKey: 'keys/dkim.pem',
    });
  });

  it('treats empty and blank variables as unset (CI systems define them empty)', () => {
    const env = readEnvironment({ ROUNDUP_STATE_DIR: '', SMTP_URL: '  ', ROUNDUP_CHROMIUM: '', ROUNDUP_SECRET: ' ' }, '/p');
    expect(env).toEqual({
      root: '/p',
      stateDir: undefined,
      databaseUrl: undefined,
      secret: undefined,
      chromiumPath: DEFAULT_CHROMIUM,
      smtpUrl: undefined,
      dkimPrivateKey: undefined,
    });
  });
});

describe('useColour', () => {
  it('colours a TTY unless NO_COLOR or TERM=dumb; FORCE_COLOR colours a pipe; CI alone does not', () => {
    expect(useColour({ isTTY: true }, {})).toBe(true);
    expect(useColour({ isTTY: true }, { NO_COLOR: '1' })).toBe(false);
    expect(useColour({ isTTY: true }, { TERM: 'dumb' })).toBe(false);
    expect(useColour({ isTTY: false }, { FORCE_COLOR: '1' })).toBe(true);
    expect(useColour({ isTTY: false }, { FORCE_COLOR: '0' })).toBe(false);
    expect(useColour({ isTTY: false }, { CI: 'true' })).toBe(false);
    expect(useColour({ isTTY: true }, { NO_COLOR: '1', FORCE_COLOR: '1' })).toBe(false);
  });
});
