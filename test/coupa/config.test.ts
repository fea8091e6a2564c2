import { describe, expect, it } from 'vitest';
import { credentialsFromEnv, resolveInstanceUrl } from '../../src/coupa/index.js';
import { ConfigError } from '../../src/shared/errors.js';

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('credentialsFromEnv', () => {
  it('uses OAuth client credentials with the default scope', () => {
    expect(credentialsFromEnv({ COUPA_CLIENT_ID: 'id', COUPA_CLIENT_SECRET: 's3cret' })).toEqual({
      kind: 'oauth',
      clientId: 'id',
      clientSecret: 's3cret',
      scopes: 'core.custom_objects.read_write',
    });
  });

  it('refuses an API key an HTTP header cannot carry (a pasted line break), without showing it', () => {
    for (const key of ['key-ABC\n123', 'key-ABC\u0007x', 'kéy-\u4e2d']) {
      let caught: unknown;
      try {
        credentialsFromEnv({ COUPA_API_KEY: key });
      } catch (error) {
        caught = error;
      }
      expect(caught).toMatchObject({ code: 'CREDENTIALS_MALFORMED', exitCode: 2 });
      expect((caught as Error).message).not.toContain('ABC');
    }
    expect(credentialsFromEnv({ COUPA_API_KEY: 'kéy-Latin1' })).toMatchObject({ kind: 'api-key' });
  });

  it('takes the scopes argument over COUPA_SCOPES, and COUPA_SCOPES over the default', () => {
    const env = { COUPA_CLIENT_ID: 'id', COUPA_CLIENT_SECRET: 's', COUPA_SCOPES: 'env.scope' };
    expect(credentialsFromEnv(env, 'a.b  c.d')).toMatchObject({ scopes: 'a.b c.d' });
    expect(credentialsFromEnv(env)).toMatchObject({ scopes: 'env.scope' });
    expect(credentialsFromEnv(env, '  ')).toMatchObject({ scopes: 'env.scope' });
    expect(credentialsFromEnv({ ...env, COUPA_SCOPES: 'x.y,z.w' })).toMatchObject({ scopes: 'x.y z.w' });
  });

  it('prefers OAuth over an API key, and uses the key alone when no client id is set', () => {
    expect(
      credentialsFromEnv({ COUPA_CLIENT_ID: 'id', COUPA_CLIENT_SECRET: 's', COUPA_API_KEY: 'k' }).kind,
    ).toBe('oauth');
    expect(credentialsFromEnv({ COUPA_API_KEY: ' key-1 ' })).toEqual({ kind: 'api-key', apiKey: 'key-1' });
    // "used only when no client id is set": a secret left over from another setup does not stop it.
    expect(credentialsFromEnv({ COUPA_CLIENT_SECRET: 'left-over', COUPA_API_KEY: 'key-2' })).toEqual({
      kind: 'api-key',
      apiKey: 'key-2',
    });
  });

  it('names the variables to set when nothing is set (empty counts as unset)', () => {
    const error = configError(() => credentialsFromEnv({ COUPA_CLIENT_ID: '', COUPA_API_KEY: '  ' }));
    expect(error.code).toBe('CREDENTIALS_MISSING');
    expect(error.message).toContain('COUPA_CLIENT_ID');
    expect(error.message).toContain('COUPA_CLIENT_SECRET');
    expect(error.message).toContain('COUPA_API_KEY');
  });

  it('refuses a client id without a secret, even when an API key is set', () => {
    const error = configError(() => credentialsFromEnv({ COUPA_CLIENT_ID: 'id', COUPA_API_KEY: 'k' }));
    expect(error.code).toBe('CREDENTIALS_MISSING');
    expect(error.message).toContain('COUPA_CLIENT_SECRET is not');
  });

  it('refuses a secret without a client id, without showing the secret', () => {
    const error = configError(() => credentialsFromEnv({ COUPA_CLIENT_SECRET: 'very-secret-value' }));
    expect(error.code).toBe('CREDENTIALS_MISSING');
    expect(error.message).toContain('COUPA_CLIENT_ID is not');
    expect(error.message).not.toContain('very-secret-value');
  });
});

describe('resolveInstanceUrl', () => {
  it('trims and strips a trailing slash', () => {
    expect(resolveInstanceUrl('  https://acme.coupahost.com/  ').href).toBe('https://acme.coupahost.com/');
    expect(resolveInstanceUrl('https://proxy.example.com/coupa/').href).toBe(
      'https://proxy.example.com/coupa',
    );
    expect(resolveInstanceUrl('https://acme.coupahost.com:8443').host).toBe('acme.coupahost.com:8443');
  });

  it.each(['http://localhost:3000', 'http://127.0.0.1:8080/', 'http://127.5.6.7', 'http://[::1]:9000'])(
    'accepts plain http to the loopback host %s',
    (raw) => {
      expect(resolveInstanceUrl(raw).protocol).toBe('http:');
    },
  );

  it.each([undefined, '', '   '])('refuses a missing instance (%j) with an example', (raw) => {
    const error = configError(() => resolveInstanceUrl(raw));
    expect(error.code).toBe('INSTANCE');
    expect(error.message).toContain('COUPA_INSTANCE');
    expect(error.message).toContain('https://acme.coupahost.com');
  });

  it('refuses a host without a scheme and suggests https://', () => {
    const error = configError(() => resolveInstanceUrl('acme.coupahost.com'));
    expect(error.code).toBe('INSTANCE');
    expect(error.message).toContain('https://acme.coupahost.com');
    // localhost:3000 would otherwise parse as the scheme "localhost:"
    expect(configError(() => resolveInstanceUrl('localhost:3000')).message).toContain('https://');
  });

  it('refuses a malformed URL', () => {
    const error = configError(() => resolveInstanceUrl('https://exa mple.com'));
    expect(error.code).toBe('INSTANCE');
    expect(error.message).toContain('not a valid URL');
  });

  it.each(['ftp://acme.coupahost.com', 'file:///etc/passwd'])('refuses the scheme of %s', (raw) => {
    const error = configError(() => resolveInstanceUrl(raw));
    expect(error.code).toBe('INSTANCE');
    expect(error.message).toMatch(/only https:\/\/ is accepted/);
  });

  it.each(['http://acme.coupahost.com', 'http://10.0.0.5', 'http://128.0.0.1', 'http://localhost.evil.com'])(
    'refuses plain http to the remote host %s and says why',
    (raw) => {
      const error = configError(() => resolveInstanceUrl(raw));
      expect(error.code).toBe('INSTANCE');
      expect(error.message).toContain('unencrypted');
      expect(error.message).toContain('https://');
    },
  );

  it('refuses credentials in the URL without echoing the password', () => {
    const error = configError(() => resolveInstanceUrl('https://user:hunter22@acme.coupahost.com'));
    expect(error.code).toBe('INSTANCE');
    expect(error.message).not.toContain('hunter22');
    const bad = configError(() => resolveInstanceUrl('ftp://user:hunter22@acme.coupahost.com'));
    expect(bad.message).not.toContain('hunter22');
  });

  it.each([
    ['acme.coupahost.com/?token=QueryTok5678', 'QueryTok5678'],
    ['ftp://acme.coupahost.com/?token=QueryTok5678', 'QueryTok5678'],
    ['https://acme.coupahost.com:badport/?token=QueryTok5678', 'QueryTok5678'],
    ['https://user:Url/Pass1234@acme.coupahost.com', 'Url/'],
    ['user:p@ssUrlPass@acme.coupahost.com', 'ssUrlPass'],
    ['https://svc:Pa ss-Word9@acme.coupahost.com:99999', 'svc:Pa'],
  ])('never echoes a password or query from %s', (raw, secret) => {
    const error = configError(() => resolveInstanceUrl(raw));
    expect(error.code).toBe('INSTANCE');
    expect(error.message).not.toContain(secret);
    expect(error.message).toContain('acme.coupahost.com');
  });

  it('refuses a query or fragment', () => {
    expect(configError(() => resolveInstanceUrl('https://acme.coupahost.com/?x=1')).code).toBe('INSTANCE');
    expect(configError(() => resolveInstanceUrl('https://acme.coupahost.com/#top')).code).toBe('INSTANCE');
  });
});
