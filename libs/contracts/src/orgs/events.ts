import { z } from 'zod';
import { defineEvent } from '../common/events';

export const OrgCreatedEvent = defineEvent(
  'org.created',
  1,
  'An organisation was registered (or the root org seeded on first start).',
  z.object({ orgId: z.string(), companyName: z.string(), platformEmail: z.string().nullable(), createdAt: z.number().int() }),
);

export const OrgUpdatedEvent = defineEvent(
  'org.updated',
  1,
  'Profile fields or feature overrides of an organisation changed; `changed` names the fields.',
  z.object({ orgId: z.string(), changed: z.array(z.string()), updatedAt: z.number().int(), changedBy: z.string() }),
);
