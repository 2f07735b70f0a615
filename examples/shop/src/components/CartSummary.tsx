'use client';

import React, { Suspense } from 'react';
import { useRouter } from 'next/navigation';
import { useCart, removeItem } from '@/lib/cart';
import { formatPrice } from '@/lib/format';
import { Button } from './Button';

const PriceTag = React.lazy(() => import('./PriceTag'));

export default function CartSummary() {
  const router = useRouter();
  const cart = useCart();
  const total = cart.items.reduce((sum, item) => sum + item.price * item.quantity, 0);

  if (cart.items.length === 0) {
    return <p data-testid="cart-empty">Your cart is empty.</p>;
  }

  return (
    <div data-testid="cart-summary">
      <ul>
        {cart.items.map((item) => (
          <li key={item.id}>
            {item.title} × {item.quantity}{' '}
            <Suspense fallback={<span>…</span>}>
              <PriceTag amount={item.price * item.quantity} />
            </Suspense>
            <Button variant="ghost" label="Remove" onClick={() => removeItem(item.id)} />
          </li>
        ))}
      </ul>
      <p>Total: {formatPrice(total)}</p>
      <Button label="Checkout" onClick={() => router.push('/checkout')} />
    </div>
  );
}
