/**
 * The catalog store seen by a replica: a real database (SQLite file or PostgreSQL table) behind
 * one small interface, so the service code does not care which one runs.
 */
import type { Product } from './catalog-data.js';

/** Where the catalog lives; made by the parent, passed to every replica. */
export type StoreSpec =
  { readonly kind: 'sqlite'; readonly path: string } | { readonly kind: 'postgres'; readonly url: string; readonly table: string };

/** A page of products in one category, cheapest first. */
export interface ProductSummary {
  readonly id: number;
  readonly name: string;
  readonly priceCents: number;
}

/** Read and write access to the catalog. Every method is one query (or one transaction). */
export interface CatalogStore {
  /** One product by id, or undefined. */
  getProduct(id: number): Promise<Product | undefined>;
  /** Up to `limit` products of `category`, cheapest first. */
  listCategory(category: string, limit: number): Promise<ProductSummary[]>;
  /** Adds `delta` to the stock (never below 0) and returns the updated product, or undefined. */
  adjustStock(id: number, delta: number, updatedAtMs: number): Promise<Product | undefined>;
  /** Releases connections and file handles. */
  close(): Promise<void>;
}

/** Column list shared by both stores, in the order rows are inserted. */
export const PRODUCT_COLUMNS = [
  'id',
  'sku',
  'name',
  'category',
  'brand',
  'price_cents',
  'stock',
  'rating',
  'review_count',
  'description',
  'updated_at',
] as const;

/** A database row (snake_case, as both stores return it). */
export interface ProductRow {
  id: number | string;
  sku: string;
  name: string;
  category: string;
  brand: string;
  price_cents: number | string;
  stock: number | string;
  rating: number | string;
  review_count: number | string;
  description: string;
  updated_at: number | string;
}

/** Maps a row from either store to a Product (PostgreSQL returns BIGINT and REAL as strings or numbers). */
export function rowToProduct(row: ProductRow): Product {
  return {
    id: Number(row.id),
    sku: row.sku,
    name: row.name,
    category: row.category,
    brand: row.brand,
    priceCents: Number(row.price_cents),
    stock: Number(row.stock),
    rating: Number(row.rating),
    reviewCount: Number(row.review_count),
    description: row.description,
    updatedAt: Number(row.updated_at),
  };
}

/** The values of one product in {@link PRODUCT_COLUMNS} order. */
export function productValues(p: Product): (string | number)[] {
  return [p.id, p.sku, p.name, p.category, p.brand, p.priceCents, p.stock, p.rating, p.reviewCount, p.description, p.updatedAt];
}
