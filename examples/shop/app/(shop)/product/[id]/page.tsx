import dynamic from 'next/dynamic';
import { notFound } from 'next/navigation';
import { getProduct } from '@/lib/api';
import { PriceTag } from '@/components/PriceTag';
import { Button } from '@/components';

const ProductGallery = dynamic(() => import('@/components/ProductGallery'), {
  loading: () => <p>Loading images…</p>,
});

export default async function ProductPage({ params }: { params: { id: string } }) {
  const product = await getProduct(params.id);
  if (!product) notFound();

  return (
    <article>
      <ProductGallery images={product.images} />
      <h1>{product.title}</h1>
      <PriceTag amount={product.price} />
      <form action="/api/cart" method="post">
        <input type="hidden" name="productId" value={product.id} />
        <Button type="submit" label="Add to cart" />
      </form>
    </article>
  );
}
