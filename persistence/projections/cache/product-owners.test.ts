import { describe, expect, it } from 'vitest';
import { ProductOwners } from './product-owners.ts';

/** A lookup over a fixed catalog that records what it was asked. */
function catalog(owners: Record<string, string>) {
  const asked: string[][] = [];
  const load = async (missing: readonly string[]) => {
    asked.push([...missing]);
    return new Map(missing.filter((id) => id in owners).map((id) => [id, owners[id] as string]));
  };
  return { asked, load };
}

describe('ProductOwners', () => {
  it('asks the store only for products it does not know, and never remembers a missing one', async () => {
    const owners = new ProductOwners(10);
    const { asked, load } = catalog({ p1: 's1', p2: 's2' });
    expect(await owners.sellersOf(['p1', 'nope'], load)).toEqual(new Map([['p1', 's1']]));
    expect(await owners.sellersOf(['p1', 'p2', 'nope'], load)).toEqual(new Map([['p1', 's1'], ['p2', 's2']]));
    expect(await owners.sellersOf(['p1', 'p2'], load)).toEqual(new Map([['p1', 's1'], ['p2', 's2']]));
    expect(asked).toEqual([['p1', 'nope'], ['p2', 'nope']]);
  });

  it('asks again for a product it was told to forget', async () => {
    const owners = new ProductOwners(10);
    const { asked, load } = catalog({ p1: 's1' });
    await owners.sellersOf(['p1'], load);
    owners.forget(['p1', 'never-known']);
    await owners.sellersOf(['p1'], load);
    expect(asked).toEqual([['p1'], ['p1']]);
  });

  it('keeps at most maxEntries, dropping the product known longest', async () => {
    const owners = new ProductOwners(2);
    const { asked, load } = catalog({ p1: 's1', p2: 's2', p3: 's3' });
    await owners.sellersOf(['p1', 'p2', 'p3'], load);
    await owners.sellersOf(['p2', 'p3'], load);
    await owners.sellersOf(['p1'], load);
    expect(asked).toEqual([['p1', 'p2', 'p3'], ['p1']]);
    expect(() => new ProductOwners(0)).toThrow(RangeError);
  });
});
