import { cookies } from 'next/headers';

const analytics = require('./legacy/analytics');

export type Product = {
  id: string;
  title: string;
  price: number;
  images: string[];
};

export type Session = { name: string; email: string };

const API_URL = process.env.NEXT_PUBLIC_SHOP_API_URL ?? 'https://api.example-shop.test';

async function get<T>(path: string): Promise<T> {
  const res = await fetch(`${API_URL}${path}`, { next: { revalidate: 60 } });
  if (!res.ok) throw new Error(`GET ${path} failed: ${res.status}`);
  return res.json() as Promise<T>;
}

export async function getProducts(): Promise<Product[]> {
  return get<Product[]>('/products');
}

export async function getProduct(id: string): Promise<Product | null> {
  analytics.track('view_item', { id });
  return get<Product>(`/products/${encodeURIComponent(id)}`).catch(() => null);
}

export async function searchProducts(query: string): Promise<Product[]> {
  analytics.track('search', { query });
  return get<Product[]>(`/products?q=${encodeURIComponent(query)}`);
}

export async function getSession(): Promise<Session | null> {
  const token = cookies().get('shop_session')?.value;
  if (!token) return null;
  return get<Session>(`/session/${token}`).catch(() => null);
}
