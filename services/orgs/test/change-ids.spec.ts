import { createTestDatabase, TestDatabase, testServers } from '@org-mgmt/testing';
import { createDatabase, IdempotencyKeys, Knex, migrate } from '@org-mgmt/runtime';
import { orgsMigrations } from '../migrations';

describe('change ids applied before idempotency_keys', () => {
  let database: TestDatabase;
  let db: Knex;
  const result = { orgId: 'org_1', previousEmail: 'a@example.com', email: 'b@example.com', changedAt: 5 };

  beforeAll(async () => {
    database = await createTestDatabase((await testServers()).postgresAdminUrl);
    db = createDatabase(database.url, 'orgs', 2);
    await migrate(db, 'orgs', orgsMigrations.slice(0, -1));
    await db('transfer_changes').insert({
      change_id: 'xfer_old',
      kind: 'primary_email',
      org_id: 'org_1',
      result: JSON.stringify(result),
      created_at: 1,
    });
    await migrate(db, 'orgs', orgsMigrations);
  });
  afterAll(async () => {
    await db?.destroy();
    await database?.drop();
  });

  it('still answer their first result, whatever body the retry carries', async () => {
    const keys = new IdempotencyKeys(db, { now: () => 2 });
    const earlier = await keys.find({
      scope: 'primary_email',
      account: 'org_1',
      key: 'xfer_old',
      parameters: { orgId: 'org_1', changeId: 'xfer_old', email: 'b@example.com', changedBy: 'op' },
    });
    expect(JSON.parse(earlier!.replay!.body)).toEqual(result);
    expect(await db('transfer_changes').count({ n: '*' })).toEqual([{ n: 1 }]);
  });
});
