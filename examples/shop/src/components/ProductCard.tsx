import Link from 'next/link';
import { Card } from '@/components';
import type { Props } from '@/components';
import { PriceTag } from './PriceTag';

type ProductCardProps = Props & {
  id: string;
  title: string;
  price: number;
};

export default function ProductCard({ id, title, price, className }: ProductCardProps) {
  return (
    <Link href={`/product/${id}`} className={className}>
      <Card title={title} footer={<PriceTag amount={price} />}>
        <img src={`https://images.example-shop.test/${id}/thumb.jpg`} alt={title} width={240} />
      </Card>
    </Link>
  );
}
