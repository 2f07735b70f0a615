import { Money } from '@shop/ui';

type PriceTagProps = { amount: number; currency?: string; onSale?: boolean };

export function PriceTag({ amount, currency = 'EUR', onSale = false }: PriceTagProps) {
  return (
    <span className="price-tag" data-testid="price">
      <Money amount={amount} currency={currency} sale={onSale} />
    </span>
  );
}

export default PriceTag;
