import { z } from 'zod';

export const ROLES = ['RootAdmin', 'RootPowerUser', 'ConfigAdmin', 'System'] as const;
export type Role = (typeof ROLES)[number];
export const RoleSchema = z.enum(ROLES);

/** Roles that count only when held by a principal of the root org. */
export const ROOT_ROLES: readonly Role[] = ['RootAdmin', 'RootPowerUser', 'System'];

/** Who is calling, as the gateway verified it from the JWT. */
export const PrincipalSchema = z.object({
  sub: z.string().min(1),
  orgId: z.string().min(1),
  roles: z.array(RoleSchema),
  email: z.string().optional(),
});
export type Principal = z.infer<typeof PrincipalSchema>;
