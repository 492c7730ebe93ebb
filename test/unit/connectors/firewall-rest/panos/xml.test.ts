import { describe, expect, it } from 'vitest';
import { XmlError, child, children, deepText, escapeXml, hasNonXmlChars, parseXml, textOf } from '../../../../../connectors/firewall-rest/panos/xml.js';
import { PanosPaths, xpathLiteral } from '../../../../../connectors/firewall-rest/panos/xpath.js';

describe('PAN-OS XML reader', () => {
  it('reads a PAN-OS answer: attributes, nested elements, text, CDATA and entities', () => {
    const doc = parseXml(
      `<?xml version="1.0"?>\n<!-- hi --><response status="success" code='19'><result total-count="1"><entry name="o&apos;brien &amp; &#x4E2D;&#25991;"><disabled>no</disabled><phash><![CDATA[$5$a<b]]></phash></entry></result></response>`,
    );
    expect(doc.name).toBe('response');
    expect(doc.attrs.get('code')).toBe('19');
    const entry = child(child(doc, 'result'), 'entry');
    expect(entry?.attrs.get('name')).toBe("o'brien & 中文");
    expect(textOf(child(entry, 'disabled'))).toBe('no');
    expect(textOf(child(entry, 'phash'))).toBe('$5$a<b');
    expect(children(entry).map((c) => c.name)).toEqual(['disabled', 'phash']);
    expect(deepText(doc)).toBe('no$5$a<b');
  });

  it('keeps an attribute called __proto__ as data', () => {
    const doc = parseXml('<a __proto__="x" constructor="y"/>');
    expect(doc.attrs.get('__proto__')).toBe('x');
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });

  it.each([
    ['a DTD (no entity expansion)', '<!DOCTYPE r [<!ENTITY a "aaaa">]><r>&a;</r>'],
    ['an unknown entity', '<r>&nbsp;</r>'],
    ['a bare ampersand', '<r>a & b</r>'],
    ['a mismatched end tag', '<a><b></a></b>'],
    ['an unclosed element', '<a><b></b>'],
    ['two roots', '<a/><b/>'],
    ['text outside the root', 'junk<a/>'],
    ['no root', '   '],
    ['an unterminated comment', '<a><!-- x</a>'],
    ['a duplicate attribute', '<a x="1" x="2"/>'],
    ['< in an attribute', '<a x="<"/>'],
    ['an out-of-range character reference', '<a>&#x110000;</a>'],
    ['HTML', '<html><body><h1>404 Not Found</h1></body></html><p>'],
  ])('refuses %s', (_why, xml) => {
    expect(() => parseXml(xml)).toThrow(XmlError);
  });

  it('enforces its limits on length, depth and element count', () => {
    const limits = { maxChars: 1000, maxDepth: 5, maxElements: 10 };
    expect(() => parseXml(`<a>${'x'.repeat(1000)}</a>`, limits)).toThrow(/longer than 1000/);
    expect(() => parseXml('<a><a><a><a><a><a></a></a></a></a></a></a>', limits)).toThrow(/deeper than 5/);
    expect(() => parseXml(`<a>${'<b/>'.repeat(10)}</a>`, limits)).toThrow(/more than 10 elements/);
    expect(parseXml(`<a>${'<b/>'.repeat(9)}</a>`, limits).children).toHaveLength(9);
  });

  it('parses a deep document without recursion limits of its own', () => {
    const depth = 10_000;
    const xml = '<a>'.repeat(depth) + '</a>'.repeat(depth);
    expect(() => parseXml(xml, { maxChars: 1e6, maxDepth: depth, maxElements: depth })).not.toThrow();
  });

  it('escapes the five XML specials and round-trips through the reader', () => {
    const hostile = `<a href="x">&'"</a>`;
    expect(escapeXml(hostile)).toBe('&lt;a href=&quot;x&quot;&gt;&amp;&apos;&quot;&lt;/a&gt;');
    expect(textOf(parseXml(`<m>${escapeXml(hostile)}</m>`))).toBe(hostile);
  });

  it('finds characters XML 1.0 cannot carry', () => {
    expect(hasNonXmlChars('Zoë 用户 😀 tab\tok')).toBe(false);
    expect(hasNonXmlChars('a\u0000b')).toBe(true);
    expect(hasNonXmlChars('a\u001Fb')).toBe(true);
    expect(hasNonXmlChars('lone \uD800 surrogate')).toBe(true);
    expect(hasNonXmlChars('\uFFFE')).toBe(true);
  });
});

describe('PAN-OS XPaths', () => {
  it("quotes names with ', or with \" when they hold a '", () => {
    expect(xpathLiteral('jdoe')).toBe("'jdoe'");
    expect(xpathLiteral("o'brien")).toBe(`"o'brien"`);
    expect(xpathLiteral('say "hi"')).toBe(`'say "hi"'`);
    expect(() => xpathLiteral(`it's "x"`)).toThrow(/both ' and "/);
  });

  it('roots at shared or at a vsys of the firewall', () => {
    expect(new PanosPaths('shared').entry('user', 'jdoe')).toBe("/config/shared/local-user-database/user/entry[@name='jdoe']");
    const vsys = new PanosPaths('vsys2');
    expect(vsys.entry('group', 'vpn')).toBe("/config/devices/entry[@name='localhost.localdomain']/vsys/entry[@name='vsys2']/local-user-database/user-group/entry[@name='vpn']");
    expect(vsys.member('vpn', "o'brien")).toMatch(/\/user\/member\[text\(\)="o'brien"\]$/);
    expect(new PanosPaths('shared').groupsWith('jdoe')).toBe("/config/shared/local-user-database/user-group/entry[user/member='jdoe']");
  });
});
