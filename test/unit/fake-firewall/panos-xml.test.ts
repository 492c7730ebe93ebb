import { describe, expect, it } from 'vitest';
import { XmlSyntaxError, cdata, parseXml, serializeXml } from '../../support/fake-firewall/panos-xml.js';
import { XpathSyntaxError, parseXpath, quoteXpathLiteral } from '../../support/fake-firewall/panos-xpath.js';

describe('fake PAN-OS XML parser', () => {
  it('parses a fragment with attributes, entities, CDATA and comments, dropping blank text between elements', () => {
    const nodes = parseXml(`<?xml version="1.0"?>\n<a x='1' y="&quot;&#65;&#x42;"> <!-- c --> <b>t &amp; &lt;u&gt;</b> <c/><d><![CDATA[<raw>]]></d></a><e/>`);
    expect(serializeXml(nodes)).toBe('<a x="1" y="&quot;AB"><b>t &amp; &lt;u&gt;</b><c/><d>&lt;raw&gt;</d></a><e/>');
  });

  it('keeps an attribute called __proto__ as data', () => {
    const [el] = parseXml('<a __proto__="x"/>');
    expect(typeof el !== 'string' && el?.attrs.__proto__).toBe('x');
  });

  it.each([
    ['mismatched tags', '<a></b>'],
    ['an unclosed element', '<a><b></b>'],
    ['a bare ampersand', '<a>x & y</a>'],
    ['an unknown entity', '<a>&nbsp;</a>'],
    ['a DTD', '<!DOCTYPE a [<!ENTITY e "x">]><a>&e;</a>'],
    ['a duplicate attribute', '<a x="1" x="2"/>'],
    ['an unquoted attribute', '<a x=1/>'],
  ])('refuses %s', (_what, xml) => {
    expect(() => parseXml(xml)).toThrow(XmlSyntaxError);
  });

  it('enforces its depth, size and element limits', () => {
    expect(() => parseXml('<a>'.repeat(70) + '</a>'.repeat(70))).toThrow(/deeper/);
    expect(() => parseXml('<a/>'.repeat(10), { maxLength: 100, maxDepth: 5, maxElements: 5 })).toThrow(/more than 5/);
    expect(() => parseXml('x'.repeat(101), { maxLength: 100, maxDepth: 5, maxElements: 5 })).toThrow(/longer/);
  });

  it('splits ]]> inside CDATA', () => {
    expect(cdata('a]]>b')).toBe('<![CDATA[a]]]]><![CDATA[>b]]>');
    expect(parseXml(`<x>${cdata('a]]>b')}</x>`)).toEqual([expect.objectContaining({ children: ['a]]>b'] })]);
  });
});

describe('fake PAN-OS XPath subset', () => {
  it('parses steps with name, text, dot and child-path predicates', () => {
    expect(parseXpath(`/config/x/entry[@name="o'b"]/user/member[text()='m'][.='m']`)).toEqual([
      { name: 'config', predicates: [] },
      { name: 'x', predicates: [] },
      { name: 'entry', predicates: [{ kind: 'attr', name: 'name', value: "o'b" }] },
      { name: 'user', predicates: [] },
      { name: 'member', predicates: [{ kind: 'text', value: 'm' }, { kind: 'text', value: 'm' }] },
    ]);
    expect(parseXpath(`/g/entry[ user/member = 'b' ]`)[1]?.predicates).toEqual([{ kind: 'child', path: ['user', 'member'], value: 'b' }]);
  });

  it.each(['config', '/config//x', '/config/', "/a[@name='x'", "/a[@name=x]", "/a[contains(@name,'x')]"])('refuses %s', (xpath) => {
    expect(() => parseXpath(xpath)).toThrow(XpathSyntaxError);
  });

  it('quotes literals with whichever quote the value lacks', () => {
    expect(quoteXpathLiteral('plain')).toBe("'plain'");
    expect(quoteXpathLiteral("o'b")).toBe(`"o'b"`);
    expect(quoteXpathLiteral('say "hi"')).toBe(`'say "hi"'`);
    expect(() => quoteXpathLiteral(`'"`)).toThrow(XpathSyntaxError);
  });
});
