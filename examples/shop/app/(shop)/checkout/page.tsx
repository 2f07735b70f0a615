import { getCart } from '@/lib/cart';
import { formatPrice } from '@/lib/format';
import { Button } from '@/components';

export default async function CheckoutPage() {
  const cart = getCart();
  const total = cart.items.reduce((sum, item) => sum + item.price * item.quantity, 0);

  return (
    <form action="/api/cart?op=checkout" method="post">
      <h1>Checkout</h1>
      <label>
        Email <input name="email" type="email" required />
      </label>
      <label>
        Address <textarea name="address" required />
      </label>
      <p data-testid="order-total">Total: {formatPrice(total)}</p>
      <Button type="submit" label="Place order" />
    </form>
  );
}
