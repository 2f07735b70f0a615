import currency from './currency.json';

type CurrencyCode = keyof typeof currency;

export function formatPrice(amount: number, code: CurrencyCode = 'EUR'): string {
  const { locale, symbol, decimals } = currency[code];
  const value = amount.toLocaleString(locale, {
    minimumFractionDigits: decimals,
    maximumFractionDigits: decimals,
  });
  return `${value} ${symbol}`;
}
