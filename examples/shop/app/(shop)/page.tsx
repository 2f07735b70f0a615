import { getProducts } from '@/lib/api';
import ProductCard from '@/components/ProductCard';

export default async function HomePage() {
  const products = await getProducts();
  return (
    <>
      <h1>Our products</h1>
      <ul className="grid" data-testid="product-list">
        {products.map((p) => (
          <li key={p.id}>
            <ProductCard id={p.id} title={p.title} price={p.price} />
          </li>
        ))}
      </ul>
    </>
  );
}
