/**
 * Deterministic product-catalog data: the same seed and count give the same rows on SQLite and
 * PostgreSQL, so runs are comparable across stores and machines. Names, brands, categories and
 * descriptions come from small word lists; prices are log-normal (most items cheap, a long tail of
 * expensive ones), stock and ratings are skewed the way real catalogs are.
 */
import type { Random } from 'headroom';

/** One product row, as stored and as served by the API. */
export interface Product {
  readonly id: number;
  readonly sku: string;
  readonly name: string;
  readonly category: string;
  readonly brand: string;
  readonly priceCents: number;
  readonly stock: number;
  readonly rating: number;
  readonly reviewCount: number;
  readonly description: string;
  /** Epoch ms of the last change. */
  readonly updatedAt: number;
}

/** The categories products are spread over (also the valid `:category` path values). */
export const CATEGORIES: readonly string[] = [
  'audio',
  'books',
  'cameras',
  'computers',
  'garden',
  'grocery',
  'health',
  'home',
  'jewelry',
  'kitchen',
  'lighting',
  'luggage',
  'music',
  'office',
  'outdoors',
  'pets',
  'phones',
  'shoes',
  'sports',
  'tools',
  'toys',
  'travel',
  'video-games',
  'watches',
];

const BRANDS = [
  'Acme',
  'Northwind',
  'Contoso',
  'Globex',
  'Initech',
  'Umbrella',
  'Hooli',
  'Vandelay',
  'Stark',
  'Wayne',
  'Tyrell',
  'Cyberdyne',
  'Soylent',
  'Wonka',
  'Gringotts',
  'Aperture',
  'Black Mesa',
  'Monarch',
  'Oscorp',
  'Pied Piper',
];
const ADJECTIVES = [
  'Compact',
  'Deluxe',
  'Ergonomic',
  'Lightweight',
  'Rugged',
  'Smart',
  'Classic',
  'Modern',
  'Portable',
  'Premium',
  'Quiet',
  'Rechargeable',
  'Sleek',
  'Sturdy',
  'Vintage',
  'Wireless',
  'Foldable',
  'Heated',
  'Insulated',
  'Waterproof',
];
const MATERIALS = ['Bamboo', 'Ceramic', 'Copper', 'Cotton', 'Glass', 'Granite', 'Leather', 'Linen', 'Oak', 'Steel', 'Titanium', 'Wool'];
const NOUNS = [
  'Backpack',
  'Blender',
  'Chair',
  'Desk Lamp',
  'Headphones',
  'Kettle',
  'Keyboard',
  'Lantern',
  'Mug',
  'Notebook',
  'Pan',
  'Pillow',
  'Router',
  'Sneakers',
  'Speaker',
  'Tent',
  'Thermos',
  'Tripod',
  'Watch',
  'Wallet',
];
const PHRASES = [
  'built to last for years of daily use',
  'with a two-year warranty',
  'tested by our own team',
  'designed for small spaces',
  'easy to clean',
  'made from recycled materials',
  'ships in plastic-free packaging',
  'a customer favourite since launch',
  'loved by travellers',
  'comes with a carrying case',
  'assembled in under five minutes',
  'energy efficient',
  'available in several colours',
  'gift ready',
];

/** Fixed base for `updatedAt`, so seeded rows do not depend on when the lab runs (2025-01-01). */
const EPOCH_BASE_MS = 1_735_689_600_000;

function pick<T>(random: Random, list: readonly T[]): T {
  return list[random.int(list.length)]!;
}

/** Standard normal draw (Box–Muller); one value per call keeps the stream simple. */
function normal(random: Random): number {
  const u = 1 - random.next();
  const v = random.next();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/**
 * Generates product `id` from its own forked stream, so any row can be regenerated alone.
 * @param random - the catalog's random source (forked per row; not advanced)
 * @param id - product id, ≥ 1
 */
export function makeProduct(random: Random, id: number): Product {
  const r = random.fork(`product-${id}`);
  const adjective = pick(r, ADJECTIVES);
  const material = pick(r, MATERIALS);
  const noun = pick(r, NOUNS);
  const brand = pick(r, BRANDS);
  const priceCents = Math.max(99, Math.round(Math.exp(3.4 + 1.1 * normal(r)) * 100) - 1);
  const reviewCount = Math.floor(Math.exp(r.next() * 7)) - 1;
  const rating = reviewCount === 0 ? 0 : Math.round(Math.min(5, Math.max(1, 4.1 + 0.7 * normal(r))) * 10) / 10;
  return {
    id,
    sku: `HR-${id.toString(36).toUpperCase().padStart(6, '0')}`,
    name: `${brand} ${adjective} ${material} ${noun}`,
    category: pick(r, CATEGORIES),
    brand,
    priceCents,
    stock: r.chance(0.08) ? 0 : r.int(500),
    rating,
    reviewCount,
    description: `${adjective} ${material.toLowerCase()} ${noun.toLowerCase()} by ${brand}, ${pick(r, PHRASES)}; ${pick(r, PHRASES)}.`,
    updatedAt: EPOCH_BASE_MS + r.int(365 * 24 * 3600) * 1000,
  };
}
