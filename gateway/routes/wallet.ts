/**
 * The signed-in user's wallet: balance from the wallet actor itself (the source of truth,
 * never stale), the ledger from the `ledger_entries` read model, and deposit/withdraw with a
 * client command id. A retry with the same id moves money once and gets the first answer again
 * (`Idempotent-Replayed: true`); the same id with another amount is refused `conflicting_retry`.
 */
import * as v from 'valibot';
import type { MoneyCommandDto, WalletDto } from '../api-types.ts';
import type { GatewayContext } from '../context.ts';
import { failureError, orThrow } from '../errors.ts';
import type { ApiRequest, ApiResponse, Principal, Route } from '../http.ts';
import { replayable } from '../idempotency.ts';
import { ApiError, ok } from '../http.ts';
import { amountMinorSchema, idSchema, pageQuery, parseBody, parseQuery } from '../validate.ts';

const moneyCommand = v.object({ commandId: idSchema, amountMinor: amountMinorSchema });

function signedIn(request: ApiRequest): Principal {
  if (request.principal === null) throw new ApiError(401, 'unauthenticated', 'sign in first');
  return request.principal;
}

async function walletOf(context: GatewayContext, userId: string): Promise<WalletDto> {
  const inspected = await context.commands.wallets.inspect(userId);
  if (!inspected.ok) throw failureError(inspected);
  return { userId, currency: 'USD', balanceMinor: inspected.state.balanceMinor, lockedMinor: inspected.state.lockedMinor };
}

async function moveMoney(request: ApiRequest, context: GatewayContext, type: 'Deposit' | 'Withdraw'): Promise<ApiResponse> {
  const principal = signedIn(request);
  const body: MoneyCommandDto = parseBody(request, moneyCommand);
  const scope = `wallet/${type}:${principal.userId}`;
  return replayable(context, { scope, commandId: body.commandId, request: { amountMinor: body.amountMinor } }, async () => {
    const result = orThrow(await context.commands.wallets.ask(principal.userId, { type, commandId: `user:${body.commandId}`, amountMinor: body.amountMinor }));
    const original = result.events[0];
    // The reply store missed this id (the process stopped between the move and the save): the
    // wallet's own idempotency still refuses another amount under the same id.
    if (result.duplicate && original !== undefined && 'amountMinor' in original && original.amountMinor !== body.amountMinor) {
      throw new ApiError(409, 'conflicting_retry', `command ${body.commandId} was already used for ${original.amountMinor} cents`);
    }
    const wallet: WalletDto = { userId: principal.userId, currency: 'USD', balanceMinor: result.state.balanceMinor, lockedMinor: result.state.lockedMinor };
    return ok(wallet);
  });
}

export const walletRoutes: Route<GatewayContext>[] = [
  {
    method: 'GET',
    pattern: '/api/wallet',
    access: 'user',
    tag: 'wallet',
    summary: 'My balance (spendable) and locked (pending escrow) funds, in cents.',
    handler: async (request, context) => ok(await walletOf(context, signedIn(request).userId)),
  },
  {
    method: 'GET',
    pattern: '/api/wallet/ledger',
    access: 'user',
    tag: 'wallet',
    summary: 'My ledger entries with their statuses, newest first, paged.',
    handler: async (request, context) => {
      const userId = signedIn(request).userId;
      const { page, pageSize } = parseQuery(request, v.object(pageQuery));
      return ok(await context.queries.ledger.page(userId, page, pageSize));
    },
  },
  {
    method: 'POST',
    pattern: '/api/wallet/deposit',
    access: 'user',
    tag: 'wallet',
    summary: 'Deposit cents into my wallet; idempotent by commandId.',
    handler: (request, context) => moveMoney(request, context, 'Deposit'),
  },
  {
    method: 'POST',
    pattern: '/api/wallet/withdraw',
    access: 'user',
    tag: 'wallet',
    summary: 'Withdraw cents from my spendable balance; idempotent by commandId.',
    handler: (request, context) => moveMoney(request, context, 'Withdraw'),
  },
];
