/**
 * Seed entries for the LDAP part: N inetOrgPerson users under ou=people, with the attributes the openldap
 * profile maps (connectors/ldap/profiles.ts) and the object classes the gateway gives new users, and groups
 * of names under ou=groups holding only the empty-group placeholder. Deterministic (seeded PRNG), the same
 * people as the json-file part. The connector YAML for a gateway on that directory.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { prng, writeBenchGatewayFile } from './seed.mjs';
import { EMPTY_MEMBER, GROUPS_DN, PEOPLE_DN, SERVICE_DN } from './slapd.mjs';

/** What the gateway creates (profiles.ts, openldap users.objectClasses). */
export const USER_OBJECT_CLASSES = ['top', 'person', 'organizationalPerson', 'inetOrgPerson', 'extensibleObject'];

const GIVEN = ['Joy', 'Ana', 'Omar', 'Lena', 'Ravi', 'Mia', 'Jonas', 'Aiko', 'Carlos', 'Fatima', 'Ingrid', 'Kwame', 'Priya', 'Tomasz', 'Zoe', 'Hugo'];
const FAMILY = ['Young', 'Silva', 'Haddad', 'Berg', 'Patel', 'Rossi', 'Weber', 'Tanaka', 'Mendez', 'Khan', 'Larsen', 'Mensah', 'Iyer', 'Nowak', 'Martin', 'Dubois'];
const TITLES = ['Software Engineer', 'Account Manager', 'Financial Analyst', 'Support Specialist', 'Product Owner', 'Network Administrator', 'HR Partner', 'Sales Director'];
const DEPARTMENTS = ['Engineering', 'Sales', 'Finance', 'Support', 'Product', 'IT Operations', 'Human Resources', 'Marketing'];
const CITIES = [
  ['Seattle', 'WA', '98101', 'United States'],
  ['Amsterdam', 'NH', '1017', 'Netherlands'],
  ['Munich', 'BY', '80331', 'Germany'],
  ['Bangalore', 'KA', '560001', 'India'],
  ['Sydney', 'NSW', '2000', 'Australia'],
];
const pick = (rand, list) => list[Math.floor(rand() * list.length)];
const hex = (rand, n) => {
  let s = '';
  for (let i = 0; i < n; i++) s += Math.floor(rand() * 16).toString(16);
  return s;
};

/** The LDIF of user `i` and its uid (the SCIM userName). */
function userEntry(i, rand, base) {
  const given = pick(rand, GIVEN);
  const family = pick(rand, FAMILY);
  const [city, region, postal, country] = pick(rand, CITIES);
  const uid = `${given}.${family}${i}`.toLowerCase() + '@contoso.example';
  const lines = [
    `dn: uid=${uid},${base}`,
    ...USER_OBJECT_CLASSES.map((oc) => `objectClass: ${oc}`),
    `uid: ${uid}`,
    `uniqueIdentifier: ${hex(rand, 8)}-${hex(rand, 4)}-4${hex(rand, 3)}-a${hex(rand, 3)}-${hex(rand, 12)}`,
    `displayName: ${given} ${family}`,
    `cn: ${given} ${family}`,
    `givenName: ${given}`,
    `sn: ${family}`,
    `mail: ${uid}`,
    `title: ${pick(rand, TITLES)}`,
    `departmentNumber: ${pick(rand, DEPARTMENTS)}`,
    `employeeNumber: ${100000 + i}`,
    `telephoneNumber: +1 555 ${String(1000000 + i).slice(-7)}`,
    `l: ${city}`,
    `st: ${region}`,
    `postalCode: ${postal}`,
    `co: ${country}`,
    'preferredLanguage: en-US',
    'employeeType: Member',
  ];
  return { uid, ldif: `${lines.join('\n')}\n\n` };
}

/**
 * A `writeEntries` for createSlapd(): `users` users and the named groups (each with the placeholder member).
 * Fills `out.userNames` (the uids, in order) and `out.groupDns`.
 */
export function directoryWriter(users, groupNames, out) {
  return async (put) => {
    const rand = prng(0x1da9 + users);
    out.userNames = new Array(users);
    for (let i = 0; i < users; i++) {
      const { uid, ldif } = userEntry(i, rand, PEOPLE_DN);
      out.userNames[i] = uid;
      await put(ldif);
    }
    out.groupDns = [];
    for (const name of groupNames) {
      const dn = `cn=${name},${GROUPS_DN}`;
      out.groupDns.push(dn);
      await put(`dn: ${dn}\nobjectClass: top\nobjectClass: groupOfNames\ncn: ${name}\nmember: ${EMPTY_MEMBER}\n\n`);
    }
  };
}

/**
 * The gateway + connector YAML for a directory at `url`. Logging at info (one line per request, to
 * /dev/null), as in the json-file part. Queue concurrency 16: operations in flight on the one LDAP
 * connection, as many as the 16 HTTP connections can ask for.
 */
export async function writeLdapGatewayConfig(confDir, { url, port, concurrency = 16, maxQueued = 10_000 }) {
  const connector = join(confDir, 'ldap.yaml');
  await writeFile(
    connector,
    [
      '# scimbridge bench: the ldap connector on the benchmark slapd (config/examples/openldap, plain ldap:// on loopback).',
      'id: bench-ldap',
      'type: ldap',
      'queue:',
      `  concurrency: ${concurrency}`,
      '  timeoutMs: 60000',
      `  maxQueued: ${maxQueued}`,
      'options:',
      `  url: ${url}`,
      '  allowInsecure: true',
      `  bindDN: ${JSON.stringify(SERVICE_DN)}`,
      '  bindPassword: ${env:LDAP_BIND_PASSWORD}',
      '  profile: openldap',
      '  referentialIntegrity: server',
      '  users:',
      `    baseDN: ${JSON.stringify(PEOPLE_DN)}`,
      '    active: { strategy: ppolicy-lock }',
      '  groups:',
      `    baseDN: ${JSON.stringify(GROUPS_DN)}`,
      `    emptyMember: ${JSON.stringify(EMPTY_MEMBER)}`,
      '',
    ].join('\n'),
  );
  return writeBenchGatewayFile(confDir, { port, connectorFile: connector, connectorId: 'bench-ldap', by: 'bench/ldap.mjs' });
}
