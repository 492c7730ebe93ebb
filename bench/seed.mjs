/**
 * Pre-generated data for the benchmark: a json-file store document with N users and 10 empty groups, in
 * exactly the shape the store writes itself (src/durable/snapshot-writer.ts: header fields, then "seq",
 * then one record per line; connectors/json-file/state.ts: format, users, groups with members), and the
 * temp gateway + connector YAML that point a gateway at it. Deterministic: the same N gives the same file.
 */
import { open, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export const FORMAT = 'scimbridge.json-file/1';
export const GROUPS = 10;

/** mulberry32: small, fast, seedable. */
export function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function uuid(rand) {
  const hex = (n) => {
    let s = '';
    for (let i = 0; i < n; i++) s += Math.floor(rand() * 16).toString(16);
    return s;
  };
  return `${hex(8)}-${hex(4)}-4${hex(3)}-${'89ab'[Math.floor(rand() * 4)]}${hex(3)}-${hex(12)}`;
}

const GIVEN = ['Joy', 'Ana', 'Omar', 'Lena', 'Ravi', 'Mia', 'Jonas', 'Aiko', 'Carlos', 'Fatima', 'Ingrid', 'Kwame', 'Priya', 'Tomasz', 'Zoe', 'Hugo'];
const FAMILY = ['Young', 'Silva', 'Haddad', 'Berg', 'Patel', 'Rossi', 'Weber', 'Tanaka', 'Mendez', 'Khan', 'Larsen', 'Mensah', 'Iyer', 'Nowak', 'Martin', 'Dubois'];
const TITLES = ['Software Engineer', 'Account Manager', 'Financial Analyst', 'Support Specialist', 'Product Owner', 'Network Administrator', 'HR Partner', 'Sales Director'];
const DEPARTMENTS = ['Engineering', 'Sales', 'Finance', 'Support', 'Product', 'IT Operations', 'Human Resources', 'Marketing'];
const CITIES = [
  ['Seattle', 'WA', '98101', 'US'],
  ['Amsterdam', 'NH', '1017', 'NL'],
  ['Munich', 'BY', '80331', 'DE'],
  ['Bangalore', 'KA', '560001', 'IN'],
  ['Sydney', 'NSW', '2000', 'AU'],
];
const pick = (rand, list) => list[Math.floor(rand() * list.length)];

/** Native fields of the default json-file mapping (connectors/json-file/config.ts). */
function userFields(i, rand) {
  const given = pick(rand, GIVEN);
  const family = pick(rand, FAMILY);
  const [city, region, postal, country] = pick(rand, CITIES);
  const local = `${given}.${family}${i}`.toLowerCase();
  return {
    userName: `${local}@contoso.example`,
    externalId: uuid(rand),
    active: true,
    displayName: `${given} ${family}`,
    'name.givenName': given,
    'name.familyName': family,
    'name.formatted': `${given} ${family}`,
    'email.work': `${local}@contoso.example`,
    'email.work.primary': true,
    title: pick(rand, TITLES),
    department: pick(rand, DEPARTMENTS),
    employeeNumber: String(100000 + i),
    'phone.work': `+1 555 ${String(1000000 + i).slice(-7)}`,
    'address.work.locality': city,
    'address.work.region': region,
    'address.work.postalCode': postal,
    'address.work.country': country,
    preferredLanguage: 'en-US',
    userType: 'Member',
  };
}

/**
 * Write `<dir>/scimbridge.json` with `n` users and GROUPS empty groups. Returns what the load generator
 * needs: the user ids and userNames (parallel arrays), the group ids, and the file size.
 */
export async function writeSeedDocument(dir, n, seq = 0) {
  const rand = prng(0x5c1b + n);
  const created = '2025-01-01T00:00:00.000Z';
  const meta = { created, lastModified: created, version: 1 };
  const ids = new Array(n);
  const userNames = new Array(n);
  const path = join(dir, 'scimbridge.json');
  const fh = await open(path, 'w', 0o600);
  let bytes = 0;
  const put = async (s) => {
    bytes += Buffer.byteLength(s);
    await fh.write(s);
  };
  try {
    let buf = `{\n  "format": ${JSON.stringify(FORMAT)},\n  "seq": ${seq},\n  "users": [`;
    for (let i = 0; i < n; i++) {
      const id = uuid(rand);
      const fields = userFields(i, rand);
      ids[i] = id;
      userNames[i] = fields.userName;
      buf += `${i === 0 ? '\n' : ',\n'}    ${JSON.stringify({ id, fields, meta })}`;
      if (buf.length > 1 << 20) {
        await put(buf);
        buf = '';
      }
    }
    buf += n > 0 ? '\n  ],\n  "groups": [' : '],\n  "groups": [';
    const groupIds = [];
    for (let g = 0; g < GROUPS; g++) {
      const id = uuid(rand);
      groupIds.push(id);
      const fields = { displayName: `Bench Group ${g + 1}`, externalId: uuid(rand) };
      buf += `${g === 0 ? '\n' : ',\n'}    ${JSON.stringify({ id, fields, meta, members: [] })}`;
    }
    buf += '\n  ]\n}\n';
    await put(buf);
    return { path, ids, userNames, groupIds, bytes };
  } finally {
    await fh.close();
  }
}

/**
 * A gateway YAML and a connector YAML in `confDir`, for a store in `dataDir`. fsync stays on (the default,
 * stated anyway): durable writes are what the write tests measure. Logging at info, one line per request.
 */
export async function writeGatewayConfig(confDir, { dataDir, port, concurrency = 64, maxQueued = 10_000 }) {
  const connector = join(confDir, 'json-file.yaml');
  await writeFile(
    connector,
    [
      '# scimbridge bench: the embedded json-file store, durable.',
      'id: local',
      'type: json-file',
      'queue:',
      `  concurrency: ${concurrency}`,
      '  timeoutMs: 30000',
      `  maxQueued: ${maxQueued}`,
      'options:',
      `  dir: ${JSON.stringify(dataDir)}`,
      '  fsync: true',
      '',
    ].join('\n'),
  );
  return writeBenchGatewayFile(confDir, { port, connectorFile: connector, connectorId: 'local', by: 'bench/run.mjs' });
}

/**
 * The gateway YAML every bench part starts its gateway with: loopback, logging at info (one line per
 * request, to /dev/null), one endpoint /scim/v2 on `connectorId`, the token from SCIM_TOKEN.
 */
export async function writeBenchGatewayFile(confDir, { port, connectorFile, connectorId, by }) {
  const gateway = join(confDir, 'gateway.yaml');
  await writeFile(
    gateway,
    [
      `# scimbridge bench gateway (generated by ${by})`,
      'server:',
      '  host: 127.0.0.1',
      `  port: ${port}`,
      'logging:',
      '  level: info',
      'connectors:',
      `  - ${JSON.stringify(connectorFile)}`,
      'endpoints:',
      '  - path: /scim/v2',
      `    connector: ${connectorId}`,
      '    tokens:',
      '      - ${env:SCIM_TOKEN}',
      '',
    ].join('\n'),
  );
  return gateway;
}
