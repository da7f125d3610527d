/**
 * The obvious alternative to the gateway for one read: a bare express app that verifies the same
 * JWT and answers GET /org-management/profile with the same four parameterised queries the orgs
 * service runs, straight from PostgreSQL. No bus, no contract validation, no service hop.
 */
import express from 'express';
import { jwtVerify } from 'jose';
import { Pool } from 'pg';

const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
const secret = new TextEncoder().encode(process.env.JWT_SECRET);
const app = express();

app.get('/org-management/profile', async (req, res) => {
  try {
    const token = /^Bearer (\S+)$/.exec(req.header('authorization') ?? '')?.[1];
    if (!token) return void res.status(401).json({ error: { code: 'UNAUTHENTICATED' } });
    const { payload } = await jwtVerify(token, secret, { issuer: process.env.JWT_ISSUER, audience: process.env.JWT_AUDIENCE });
    const orgId = String(payload.orgId);
    const [company, history, customer, address] = await Promise.all([
      pool.query('select * from orgs.organizations where id = $1', [orgId]),
      pool.query('select * from orgs.service_status_records where org_id = $1 order by timestamp, id', [orgId]),
      pool.query('select * from orgs.customers where org_id = $1 limit 1', [orgId]),
      pool.query(
        "select * from orgs.addresses where org_id = $1 order by is_default desc, (type = 'billing') desc, seq desc limit 1",
        [orgId],
      ),
    ]);
    if (!company.rows[0]) return void res.status(404).json({ error: { code: 'NOT_FOUND' } });
    res.json({
      company: { ...company.rows[0], serviceStatusHistory: history.rows },
      customer: customer.rows[0] ?? null,
      address: address.rows[0] ?? null,
    });
  } catch {
    res.status(401).json({ error: { code: 'UNAUTHENTICATED' } });
  }
});

const server = app.listen(Number(process.env.PORT), '127.0.0.1');
process.once('SIGTERM', () => server.close(() => pool.end().then(() => process.exit(0))));
