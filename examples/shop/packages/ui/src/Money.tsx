import { Badge } from '@/Badge';

type MoneyProps = { amount: number; currency: string; sale?: boolean };

export function Money({ amount, currency, sale = false }: MoneyProps) {
  const text = new Intl.NumberFormat(undefined, { style: 'currency', currency }).format(amount);
  return (
    <span className="ui-money">
      {text}
      {sale && <Badge tone="danger">Sale</Badge>}
    </span>
  );
}
