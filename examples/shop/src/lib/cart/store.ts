import { useSyncExternalStore } from 'react';
import type { Product } from '../api';

export type CartItem = Pick<Product, 'id' | 'title' | 'price'> & { quantity: number };
export type Cart = { items: CartItem[] };

let cart: Cart = { items: [] };
const listeners = new Set<() => void>();

function emit() {
  listeners.forEach((listener) => listener());
}

export function getCart(): Cart {
  return cart;
}

export function addItem(product: Pick<Product, 'id' | 'title' | 'price'>, quantity = 1) {
  const existing = cart.items.find((item) => item.id === product.id);
  const items = existing
    ? cart.items.map((item) => (item.id === product.id ? { ...item, quantity: item.quantity + quantity } : item))
    : [...cart.items, { ...product, quantity }];
  cart = { items };
  emit();
}

export function removeItem(id: string) {
  cart = { items: cart.items.filter((item) => item.id !== id) };
  emit();
}

function subscribe(listener: () => void) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function useCart(): Cart {
  return useSyncExternalStore(subscribe, getCart, getCart);
}
