/**
 * The ceiling: a bare node:http server doing the least a SCIM endpoint must do — check the bearer token
 * (SHA-256 + timingSafeEqual, as src/http/auth.ts does) and answer a small fixed ListResponse. No framework,
 * no routing, no logging. Started by bench/run.mjs: `node bench/ceiling-server.mjs <port>`, token in
 * SCIM_TOKEN; prints "ready" on stdout once listening.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';

const port = Number(process.argv[2] ?? 0);
const token = process.env.SCIM_TOKEN ?? '';
if (!token) throw new Error('SCIM_TOKEN is not set');
const digest = createHash('sha256').update(token, 'utf8').digest();

const BODY = Buffer.from(
  JSON.stringify({
    schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'],
    totalResults: 1,
    itemsPerPage: 1,
    startIndex: 1,
    Resources: [{ id: '2819c223-7f76-453a-919d-413861904646', userName: 'bjensen@example.com', active: true }],
  }),
);
const UNAUTHORIZED = Buffer.from('{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"401"}');

function authorized(header) {
  const m = header === undefined ? null : /^Bearer[ \t]+([^\s]+)[ \t]*$/i.exec(header);
  if (!m) return false;
  return timingSafeEqual(createHash('sha256').update(m[1], 'utf8').digest(), digest);
}

const server = createServer((req, res) => {
  const ok = authorized(req.headers.authorization);
  res.writeHead(ok ? 200 : 401, { 'Content-Type': 'application/scim+json; charset=utf-8', 'Content-Length': ok ? BODY.length : UNAUTHORIZED.length });
  res.end(ok ? BODY : UNAUTHORIZED);
});
server.keepAliveTimeout = 65_000;
server.listen(port, '127.0.0.1', () => process.stdout.write(`ready ${server.address().port}\n`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
process.on('SIGINT', () => process.exit(0));
