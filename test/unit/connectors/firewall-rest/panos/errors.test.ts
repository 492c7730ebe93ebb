import { describe, expect, it } from 'vitest';
import { PanosApiError, panosCode, readReply } from '../../../../../connectors/firewall-rest/panos/errors.js';
import { ConnectorError } from '../../../../../connectors/types.js';

const reply = (body: string, status = 200) => ({ status, headers: { 'content-type': 'application/xml' }, body });
const error = (code: number | undefined, lines: string[], status = 200) =>
  reply(`<response status="error"${code === undefined ? '' : ` code="${code}"`}><msg>${lines.map((l) => `<line><![CDATA[${l}]]></line>`).join('')}</msg></response>`, status);

function mapped(res: ReturnType<typeof reply>): ConnectorError {
  try {
    readReply(res, 'do the thing');
  } catch (err) {
    if (err instanceof ConnectorError) return err;
    throw err;
  }
  throw new Error('expected an error');
}

describe('PAN-OS error mapping', () => {
  it('returns the code and <result> of a success', () => {
    const ok = readReply(reply('<response status="success" code="19"><result total-count="0" count="0"/></response>'), 'read');
    expect(ok.code).toBe(19);
    expect(ok.result?.name).toBe('result');
  });

  it.each([
    [7, 'not-found'],
    [13, 'not-found'],
    [8, 'conflict'],
    [10, 'conflict'],
    [12, 'invalid'],
    [18, 'invalid'],
    [2, 'unavailable'],
    [3, 'unavailable'],
    [4, 'unavailable'],
    [5, 'unavailable'],
    [21, 'unavailable'],
    [16, 'upstream-auth'],
    [22, 'upstream-auth'],
    [1, 'internal'],
    [6, 'internal'],
    [17, 'internal'],
  ])('maps code %i to %s', (code, kind) => {
    const err = mapped(error(code, [' something happened']));
    expect(err.kind).toBe(kind);
    expect(panosCode(err)).toBe(code);
    expect(err.cause).toBeInstanceOf(PanosApiError);
  });

  it('keeps the firewall message for invalid values, for the SCIM error detail', () => {
    const err = mapped(error(12, [' vpn -> user \'ghost\' is not a valid reference', ' vpn -> user is invalid']));
    expect(err.message).toBe("PAN-OS 12 on do the thing: vpn -> user 'ghost' is not a valid reference; vpn -> user is invalid");
  });

  it('treats "already exists" (a rename onto a taken name, code 12) as a conflict', () => {
    expect(mapped(error(12, [' b already exists'])).kind).toBe('conflict');
  });

  it('gives unavailable errors a Retry-After, including commit locks without a code', () => {
    expect(mapped(error(2, ['internal'])).retryAfterSec).toBeGreaterThan(0);
    const lock = mapped(reply('<response status="error"><msg><line>Another commit/validate is in progress. Please try again later</line></msg></response>'));
    expect(lock).toMatchObject({ kind: 'unavailable' });
    expect(lock.retryAfterSec).toBeGreaterThan(0);
  });

  it('maps a refused key (HTTP 403, code 403, message in <result><msg>) to upstream-auth', () => {
    const err = mapped(reply('<response status="error" code="403"><result><msg>Invalid Credential</msg></result></response>', 403));
    expect(err.kind).toBe('upstream-auth');
    expect(err.message).toMatch(/Invalid Credential/);
  });

  it('maps HTTP 400 with its message to invalid', () => {
    expect(mapped(reply('<response status="error" code="400"><result><msg>Missing parameter: xpath</msg></result></response>', 400)).kind).toBe('invalid');
  });

  it('handles answers that are not XML API responses', () => {
    expect(mapped(reply('<html><body>404</body></html>', 404)).kind).toBe('internal');
    expect(mapped(reply('Bad gateway', 502)).kind).toBe('unavailable');
    expect(mapped(reply('forbidden', 403)).kind).toBe('upstream-auth');
    expect(mapped(reply('<result/>')).kind).toBe('internal');
  });

  it('bounds long messages', () => {
    const err = mapped(error(12, ['x'.repeat(5_000)]));
    expect(err.message.length).toBeLessThan(700);
  });
});
