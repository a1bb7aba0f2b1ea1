import { MAX_ERROR_LENGTH, redactSecrets } from './redactSecrets';

describe('redactSecrets', () => {
  it('removes known secrets wherever they appear', () => {
    const token = 'tok_9f8e7d6c5b4a';
    expect(
      redactSecrets(`request with ${token} failed (${token})`, [token]),
    ).toBe('request with [redacted] failed ([redacted])');
  });

  it('removes URL credentials but keeps user, host and path', () => {
    expect(
      redactSecrets('cannot reach mysql://root:pa55@db:3306/app', []),
    ).toBe('cannot reach mysql://root:[redacted]@db:3306/app');
  });

  it('removes password, token and secret key-value pairs in their usual spellings', () => {
    const text =
      'PGPASSWORD=abc password: "x y" token=t1 client_secret=zzz apiKey=not-a-match-key api_key=k1';
    const result = redactSecrets(text, []);
    for (const secret of ['abc', 'x y', 't1', 'zzz', 'k1']) {
      expect(result).not.toMatch(new RegExp(`[=:] ?"?${secret}\\b`));
    }
    expect(result).toContain('PGPASSWORD=[redacted]');
    expect(result).toContain('password: [redacted]');
  });

  it('removes bearer tokens', () => {
    expect(redactSecrets('Authorization: Bearer abc.def-ghi', [])).toBe(
      'Authorization: Bearer [redacted]',
    );
  });

  it('leaves ordinary text alone and caps very long text', () => {
    expect(redactSecrets('pg_dump: error: connection refused', [])).toBe(
      'pg_dump: error: connection refused',
    );
    const long = redactSecrets('x'.repeat(MAX_ERROR_LENGTH * 2), []);
    expect(long.length).toBeLessThan(MAX_ERROR_LENGTH + 20);
    expect(long).toMatch(/\(truncated\)$/);
  });
});
