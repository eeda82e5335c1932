/** The checkout's named waits: settled once completed with no step pending, or once failed. */
import { describe, expect, it } from 'vitest';
import { initialState } from './checkout-evolve.ts';
import type { CheckoutState } from './checkout-messages.ts';
import { checkoutWaits, isCheckoutAtRest, isCheckoutSettled } from './checkout-waits.ts';

const step = (status: 'PENDING' | 'DONE' | 'FAILED') => ({ status, target: 'order:o1', command: {} });
const withState = (changes: Partial<CheckoutState>): CheckoutState => ({ ...initialState, ...changes });

describe('isCheckoutSettled', () => {
  it('is false while the checkout runs, and while a completed one still has a step pending', () => {
    expect(isCheckoutSettled(initialState)).toBe(false);
    expect(isCheckoutSettled(withState({ status: 'PLACING' }))).toBe(false);
    expect(isCheckoutSettled(withState({ status: 'COMPENSATING' }))).toBe(false);
    expect(isCheckoutSettled(withState({ status: 'COMPLETED', steps: { 'confirm:o1': step('PENDING') } }))).toBe(false);
  });

  it('is true once completed with every step done, and once failed whatever is pending', () => {
    expect(isCheckoutSettled(withState({ status: 'COMPLETED', steps: { 'place:o1': step('DONE'), 'confirm:o1': step('DONE') } }))).toBe(true);
    expect(isCheckoutSettled(withState({ status: 'FAILED', steps: { 'cancel:o1': step('PENDING') } }))).toBe(true);
  });

  it('is registered as `settled`', () => {
    expect(checkoutWaits.settled).toBe(isCheckoutSettled);
  });
});

describe('isCheckoutAtRest', () => {
  it('is true once settled with no step pending, a failed checkout\'s compensation included', () => {
    expect(isCheckoutAtRest(withState({ status: 'COMPLETED', steps: { 'place:o1': step('DONE'), 'confirm:o1': step('DONE') } }))).toBe(true);
    expect(isCheckoutAtRest(withState({ status: 'FAILED', steps: { 'cancel:o1': step('DONE') } }))).toBe(true);
    expect(isCheckoutAtRest(withState({ status: 'FAILED', steps: { 'cancel:o1': step('PENDING') } }))).toBe(false);
    expect(isCheckoutAtRest(withState({ status: 'COMPLETED', steps: { 'confirm:o1': step('PENDING') } }))).toBe(false);
    expect(isCheckoutAtRest(withState({ status: 'PLACING' }))).toBe(false);
    expect(isCheckoutAtRest(initialState)).toBe(false);
  });
});
