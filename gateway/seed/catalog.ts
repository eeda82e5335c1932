/**
 * The demo catalog: five sellers, each with 42 products over its categories (210 in all), and
 * the demo people. Everything is deterministic (ids, prices, stock), so a seed interrupted by a
 * crash reruns to the same catalog.
 */
export interface DemoSeller {
  readonly id: string;
  readonly name: string;
  readonly email: string;
  readonly hue: number;
  readonly categories: readonly { readonly slug: string; readonly nouns: readonly string[] }[];
}

export const demoPassword = 'bazaary-demo';
export const adminLogin = { id: 'demo-admin', email: 'admin@bazaary.dev', password: 'bazaary-admin', displayName: 'Operator' } as const;
export const demoBuyers = [
  { id: 'demo-buyer-alice', email: 'alice@bazaary.dev', displayName: 'Alice', address: { name: 'Alice Martin', line1: '12 Orchard Lane', line2: null, city: 'Portland', postalCode: '97205', countryCode: 'US' } },
  { id: 'demo-buyer-bob', email: 'bob@bazaary.dev', displayName: 'Bob', address: { name: 'Bob Keller', line1: '48 Harbour Street', line2: 'Flat 3', city: 'Bristol', postalCode: 'BS1 5TY', countryCode: 'GB' } },
  { id: 'demo-buyer-carol', email: 'carol@bazaary.dev', displayName: 'Carol', address: { name: 'Carol Weber', line1: 'Lindenstraße 7', line2: null, city: 'Berlin', postalCode: '10969', countryCode: 'DE' } },
] as const;
/** Each demo buyer starts with $5,000.00. */
export const demoFundingMinor = 500_000;
export const productsPerSeller = 42;

export const demoSellers: readonly DemoSeller[] = [
  {
    id: 'demo-seller-aurora',
    name: 'Aurora Electronics',
    email: 'aurora@bazaary.dev',
    hue: 220,
    categories: [
      { slug: 'phones', nouns: ['iPhone 15 Pro', 'Pixel 9', 'Galaxy S24', 'Phone Stand', 'USB-C Charger', 'MagSafe Wallet'] },
      { slug: 'audio', nouns: ['Wireless Earbuds', 'Studio Headphones', 'Bluetooth Speaker', 'Soundbar', 'Turntable', 'Microphone'] },
      { slug: 'laptops', nouns: ['Ultrabook 14', 'Gaming Laptop', 'Laptop Sleeve', 'Docking Station', 'Mechanical Keyboard', 'Wireless Mouse'] },
    ],
  },
  {
    id: 'demo-seller-nordic',
    name: 'Nordic Home',
    email: 'nordic@bazaary.dev',
    hue: 30,
    categories: [
      { slug: 'home', nouns: ['Linen Throw', 'Oak Side Table', 'Ceramic Vase', 'Wool Rug', 'Floor Lamp', 'Scented Candle'] },
      { slug: 'kitchen', nouns: ['Cast Iron Skillet', 'Chef Knife', 'Pour-Over Kettle', 'Stoneware Mugs', 'Cutting Board', 'Espresso Grinder'] },
    ],
  },
  {
    id: 'demo-seller-lantern',
    name: 'Paper Lantern Books',
    email: 'lantern@bazaary.dev',
    hue: 350,
    categories: [
      { slug: 'books', nouns: ['Field Guide to Birds', 'Sourdough Handbook', 'Sci-Fi Anthology', 'Poetry Collection', 'Atlas of Rivers', 'Chess Openings'] },
      { slug: 'stationery', nouns: ['Dot Grid Notebook', 'Fountain Pen', 'Watercolour Set', 'Desk Planner', 'Washi Tape', 'Brass Ruler'] },
    ],
  },
  {
    id: 'demo-seller-summit',
    name: 'Summit Outdoor',
    email: 'summit@bazaary.dev',
    hue: 130,
    categories: [
      { slug: 'outdoor', nouns: ['Trail Backpack', 'Camping Stove', 'Down Sleeping Bag', 'Trekking Poles', 'Headlamp', 'Water Filter'] },
      { slug: 'sports', nouns: ['Yoga Mat', 'Running Shoes', 'Cycling Gloves', 'Climbing Chalk', 'Jump Rope', 'Foam Roller'] },
    ],
  },
  {
    id: 'demo-seller-pixel',
    name: 'Pixel Toys',
    email: 'pixel@bazaary.dev',
    hue: 280,
    categories: [
      { slug: 'toys', nouns: ['Building Blocks', 'Wooden Train', 'Plush Fox', 'Puzzle Cube', 'Kite', 'Marble Run'] },
      { slug: 'games', nouns: ['Board Game Classic', 'Card Game Party', 'Retro Console', 'Game Controller', 'Dice Set', 'Strategy Game'] },
    ],
  },
];

const editions = ['', ' Mini', ' Plus', ' Max', ' Lite', ' Deluxe', ' Classic'];
const adjectives = ['Handy', 'Sturdy', 'Elegant', 'Compact', 'Premium', 'Everyday', 'Refined'];

export interface DemoProduct {
  readonly productId: string;
  readonly title: string;
  readonly description: string;
  readonly category: string;
  readonly priceMinor: number;
  readonly stock: number;
  readonly hue: number;
  readonly variant: number;
}

export function demoProducts(seller: DemoSeller): DemoProduct[] {
  const all = seller.categories.flatMap((category) => category.nouns.map((noun) => ({ category: category.slug, noun })));
  return Array.from({ length: productsPerSeller }, (_unused, index) => {
    const base = all[index % all.length] ?? { category: 'misc', noun: 'Thing' };
    const round = Math.floor(index / all.length);
    const title = `${base.noun}${editions[round % editions.length] ?? ''}`;
    const adjective = adjectives[(index + round) % adjectives.length] ?? 'Good';
    return {
      productId: `${seller.id.replace('demo-seller-', 'demo-')}-${String(index + 1).padStart(2, '0')}`,
      title,
      description: `${adjective} ${base.noun.toLowerCase()} from ${seller.name}. Ships in 2 days; escrow protects every order.`,
      category: base.category,
      // Whole and .99 prices between $4.99 and about $1,200.
      priceMinor: 499 + ((index * 7919 + seller.hue * 31) % 1200) * 100,
      stock: 5 + ((index * 13) % 60),
      hue: (seller.hue + index * 9) % 360,
      variant: index,
    };
  });
}
