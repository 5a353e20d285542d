/** Which database the state is in, and how its URL is read and shown (pure; no server needed). */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { libpqSsl, maskDatabaseUrl, stateLocation } from '../../src/state/db.js';

const config = { stateDir: '.roundup' };

describe('state location', () => {
  it('is SQLite in the state directory unless a URL is given; the environment beats config database:', () => {
    expect(stateLocation(config, { root: '/p' })).toMatchObject({ kind: 'sqlite', file: path.join('/p', '.roundup', 'roundup.db') });
    expect(stateLocation({ ...config, database: 'postgres://a:pw1@cfg/db' }, { root: '/p' })).toMatchObject({
      kind: 'postgres',
      url: 'postgres://a:pw1@cfg/db',
    });
    expect(
      stateLocation({ ...config, database: 'postgres://a:pw1@cfg/db' }, { root: '/p', databaseUrl: 'postgresql://b:pw2@env:6543/x' }),
    ).toMatchObject({ kind: 'postgres', url: 'postgresql://b:pw2@env:6543/x', shown: 'postgresql://b:****@env:6543/x' });
  });

  it('refuses what is not a PostgreSQL URL with one line that names where it came from', () => {
    expect(() => stateLocation(config, { databaseUrl: 'mysql://u:p@h/db' })).toThrow(
      /^ROUNDUP_DATABASE_URL must be a postgres:\/\/ or postgresql:\/\/ URL \(got mysql:\/\/…\)/,
    );
    expect(() => stateLocation(config, { databaseUrl: 'not a url' })).toThrow(/^ROUNDUP_DATABASE_URL is not a URL/);
    expect(() => stateLocation(config, { databaseUrl: 'postgres://u:50%zz@h/db' })).toThrow(/the password is not valid URL encoding/);
  });

  it('masks the password, and reads sslmode as psql does (require: encrypt without checking the certificate)', () => {
    expect(maskDatabaseUrl('postgres://roundup:s3cr%40t@db.example:5432/news?sslmode=require')).toBe(
      'postgres://roundup:****@db.example:5432/news?sslmode=require',
    );
    expect(new URL(libpqSsl('postgres://u:p@h/db?sslmode=require')).searchParams.get('uselibpqcompat')).toBe('true');
    expect(libpqSsl('postgres://u:p@h/db')).toBe('postgres://u:p@h/db');
  });
});
