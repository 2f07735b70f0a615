import '@/lib/polyfills';

export default function ShopLayout({ children }: { children: React.ReactNode }) {
  return (
    <div className="shop">
      <aside className="promo">Free shipping on orders over 50 EUR</aside>
      <section>{children}</section>
    </div>
  );
}
