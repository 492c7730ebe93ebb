import { afterEach, describe, expect, it } from 'vitest';
import { ConnectorError } from '../../../../../connectors/types.js';
import { forms, never, rejection, startHarness, type Harness, type HarnessOptions } from './harness.js';

let h: Harness | undefined;
async function start(options: HarnessOptions = {}): Promise<Harness> {
  h = await startHarness(options);
  return h;
}
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** Every place a value could leak: what the profile handed the transport (minus the op that must carry it) and the logs. */
function leaks(harness: Harness, value: string): string[] {
  const out: string[] = [];
  for (const r of harness.requests) {
    const isHashOp = r.form?.type === 'op' && r.form.cmd?.startsWith('<request><password-hash>');
    const { headers: _headers, ...rest } = r;
    if (!isHashOp && JSON.stringify(rest).includes(value)) out.push(`request ${r.what}`);
    if (r.what.includes(value)) out.push(`what of ${r.what}`);
  }
  for (const line of harness.logs) if (line.includes(value)) out.push(`log ${line}`);
  return out;
}

describe('PAN-OS profile: secrets', () => {
  it('hashes a SCIM password with the firewall op; the clear password travels only inside that op and is never logged', async () => {
    const { api, pan } = await start();
    const password = 'S3cr3t&<pa$$word>"';
    await api.create('user', { key: 'jdoe', fields: { password } }, never());
    const [hashOp] = forms(h!, 'op').filter((f) => f.cmd?.startsWith('<request><password-hash>'));
    expect(hashOp?.cmd).toBe('<request><password-hash><password>S3cr3t&amp;&lt;pa$$word&gt;&quot;</password></password-hash></request>');
    expect(leaks(h!, password)).toEqual([]);
    expect(leaks(h!, 'S3cr3t')).toEqual([]);
    expect(pan.phashMatches(pan.running.user('jdoe')!.phash!, password)).toBe(true);
    // The hash is stored and never read back.
    expect(await api.get('user', 'jdoe', never())).toEqual({ key: 'jdoe', fields: { disabled: true } });
  });

  it('changes a password the same way, together with active in one set', async () => {
    const { api, pan } = await start();
    pan.seedUser({ name: 'jdoe', password: 'old' });
    await api.update('user', 'jdoe', { set: { password: 'n3w-Pass!', disabled: false }, unset: [] }, never());
    expect(pan.phashMatches(pan.running.user('jdoe')!.phash!, 'n3w-Pass!')).toBe(true);
    expect(pan.running.user('jdoe')?.disabled).toBe('yes');
    expect(pan.operations('config.set')).toBe(1);
    expect(leaks(h!, 'n3w-Pass!')).toEqual([]);
  });

  it('gives a user created without a password the hash of a random one, different each time', async () => {
    const { api } = await start({ commit: { mode: 'candidate' } });
    await api.create('user', { key: 'a', fields: {} }, never());
    await api.create('user', { key: 'b', fields: {} }, never());
    const passwords = forms(h!, 'op')
      .map((f) => /<password>(.*)<\/password>/.exec(f.cmd ?? '')?.[1])
      .filter((p): p is string => p !== undefined);
    expect(passwords).toHaveLength(2);
    expect(passwords[0]).not.toBe(passwords[1]);
    expect(passwords[0]!.length).toBeGreaterThanOrEqual(32);
    for (const p of passwords) expect(leaks(h!, p)).toEqual([]);
  });

  it('refuses a password XML cannot carry without echoing it', async () => {
    const { api } = await start();
    const err = await rejection(api.create('user', { key: 'jdoe', fields: { password: 'bad\u0001pw' } }, never()));
    expect(err).toMatchObject({ kind: 'invalid', attribute: 'password' });
    expect((err as Error).message).not.toContain('bad');
  });

  it('sends the API key only as X-PAN-KEY, never in a form field or a log line', async () => {
    const { api, pan } = await start();
    await api.create('user', { key: 'jdoe', fields: {} }, never());
    expect(h!.requests.every((r) => r.headers?.['X-PAN-KEY'] === pan.apiKey)).toBe(true);
    expect(h!.requests.every((r) => !JSON.stringify(r.form).includes(pan.apiKey))).toBe(true);
    expect(h!.logs.length).toBeGreaterThan(0);
    expect(h!.logs.join('\n')).not.toContain(pan.apiKey);
  });

  it('maps a refused key to upstream-auth, for check() and for writes', async () => {
    const { api } = await start({ apiKey: 'LUFRPT-wrong' });
    const probe = await rejection(api.check(never()));
    expect(probe).toBeInstanceOf(ConnectorError);
    expect(probe).toMatchObject({ kind: 'upstream-auth' });
    expect(await rejection(api.create('user', { key: 'jdoe', fields: {} }, never()))).toMatchObject({ kind: 'upstream-auth' });
    expect(h!.logs.join('\n')).not.toContain('LUFRPT-wrong');
  });

  it('check() succeeds with a good key', async () => {
    const { api, pan } = await start();
    await api.check(never());
    expect(pan.operations('op.show-system-info')).toBe(1);
  });
});
