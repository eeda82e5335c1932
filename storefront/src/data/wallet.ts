/**
 * The signed-in user's wallet: balance and pending (escrowed) funds from the wallet actor, the
 * ledger from its read model, and deposit/withdraw. Each money movement carries a command id that
 * is kept for retries of the same intent, so a retried click moves money once.
 */
import { action, query } from '@solidjs/router';
import type { LedgerEntryDto, Page, WalletDto } from '../../../gateway/api-types.ts';
import { api } from '../lib/api.ts';

export const getWallet = query(() => api<WalletDto>('/api/wallet'), 'wallet');

export const getLedger = query(
  (page: number, pageSize: number) => api<Page<LedgerEntryDto>>('/api/wallet/ledger', { query: { page, pageSize } }),
  'ledger',
);

export type MoneyMove = 'deposit' | 'withdraw';

export const moveMoney = action(
  (move: MoneyMove, commandId: string, amountMinor: number) => api<WalletDto>(`/api/wallet/${move}`, { method: 'POST', body: { commandId, amountMinor } }),
  'wallet-move',
);

export const ledgerKindLabels: Readonly<Record<LedgerEntryDto['kind'], string>> = {
  deposit: 'Deposit',
  withdrawal: 'Withdrawal',
  purchase: 'Purchase',
  refund: 'Refund',
  sale: 'Sale',
  sale_fee: 'Sale fee',
  platform_fee: 'Platform fee',
};
