import { searchProducts } from '@/lib/api';
import ProductCard from '@/components/ProductCard';

export default async function SearchPage({ searchParams }: { searchParams: { q?: string } }) {
  const query = searchParams.q ?? '';
  const results = query ? await searchProducts(query) : [];

  return (
    <section>
      <form action="/search">
        <input name="q" defaultValue={query} placeholder="Search products" />
      </form>
      {query && <p>{results.length} results for “{query}”</p>}
      <ul>
        {results.map((p) => (
          <li key={p.id}>
            <ProductCard id={p.id} title={p.title} price={p.price} />
          </li>
        ))}
      </ul>
    </section>
  );
}
