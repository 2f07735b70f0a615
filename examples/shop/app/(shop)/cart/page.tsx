import CartSummary from '@/components/CartSummary';

export const metadata = { title: 'Your cart' };

export default function CartPage() {
  return (
    <>
      <h1>Your cart</h1>
      <CartSummary />
    </>
  );
}
