/**
 * The obvious alternative to the gateway for the benchmarked reads: a bare express app that
 * verifies the same JWT and answers GET /org-management/billing/balance and /profile with the same
 * parameterised queries the services run, straight from PostgreSQL. No bus, no contract
 * validation, no service hop.
 */
import express from 'express';
import { jwtVerify } from 'jose';
import { Pool } from 'pg';

const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
const secret = new TextEncoder().encode(process.env.JWT_SECRET);
const app = express();

async function callerOrg(req: express.Request): Promise<string | null> {
  const token = /^Bearer (\S+)$/.exec(req.header('authorization') ?? '')?.[1];
  if (!token) return null;
  const { payload } = await jwtVerify(token, secret, {
    issuer: process.env.JWT_ISSUER,
    audience: process.env.JWT_AUDIENCE,
  });
  return String(payload.orgId);
}

app.get('/org-management/billing/balance', async (req, res) => {
  try {
    const orgId = await callerOrg(req);
    if (!orgId) return void res.status(401).json({ error: { code: 'UNAUTHENTICATED' } });
    const { rows } = await pool.query('select balance, currency, updated_at from billing.balances where org_id = $1', [
      orgId,
    ]);
    res.json({
      orgId,
      balance: rows[0]?.balance ?? 0,
      currency: rows[0]?.currency ?? 'USD',
      updatedAt: rows[0]?.updated_at ?? null,
    });
  } catch {
    res.status(401).json({ error: { code: 'UNAUTHENTICATED' } });
  }
});

app.get('/org-management/profile', async (req, res) => {
  try {
    const orgId = await callerOrg(req);
    if (!orgId) return void res.status(401).json({ error: { code: 'UNAUTHENTICATED' } });
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
