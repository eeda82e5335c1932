/**
 * The operator account named by ADMIN_EMAIL + ADMIN_PASSWORD, made at start when it does not
 * exist yet, so a production stack (no demo seed) has someone who can inspect actors, read the
 * mail outbox, resolve disputes and run the ledger audit. An existing account keeps its password:
 * the variables bootstrap an admin, they do not reset one.
 */
import type { GatewayContext } from '../context.ts';

export type AdminBootstrap = 'created' | 'exists' | 'email_taken_by_non_admin';

export async function ensureAdmin(context: GatewayContext, admin: { readonly email: string; readonly password: string }): Promise<AdminBootstrap> {
  const existing = await context.users.findByEmail(admin.email);
  if (existing !== null) return existing.role === 'ADMIN' ? 'exists' : 'email_taken_by_non_admin';
  const passwordHash = await context.passwords.hash(admin.password);
  const created = await context.users.create({ id: `admin-${context.ids.next()}`, email: admin.email, role: 'ADMIN', displayName: 'Operator', passwordHash, createdAt: context.clock.now() });
  // Two processes starting at once race on the unique email; the loser finds the winner's row.
  if (created === null) return (await context.users.findByEmail(admin.email))?.role === 'ADMIN' ? 'exists' : 'email_taken_by_non_admin';
  return 'created';
}
