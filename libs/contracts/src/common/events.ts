import { z } from 'zod';

/** Every event published to JetStream has this envelope; `data` is validated by the subject's schema. */
export const EventEnvelopeSchema = z.object({
  id: z.string(),
  type: z.string(),
  version: z.number().int().positive(),
  occurredAt: z.number().int(),
  orgId: z.string().nullable(),
  data: z.unknown(),
});
export type EventEnvelope<T = unknown> = Omit<z.infer<typeof EventEnvelopeSchema>, 'data'> & { data: T };

export interface EventContract<T extends z.ZodType = z.ZodType> {
  subject: string;
  version: number;
  description: string;
  schema: T;
}

export function defineEvent<T extends z.ZodType>(
  subject: string,
  version: number,
  description: string,
  schema: T,
): EventContract<T> {
  return { subject, version, description, schema };
}
