import type { Props } from './types';

export type CardProps = Props & { title: string; footer?: React.ReactNode };

export function Card({ title, footer, children, className }: CardProps) {
  return (
    <div className={['card', className].filter(Boolean).join(' ')}>
      <h3 className="card-title">{title}</h3>
      <div className="card-body">{children}</div>
      {footer && <div className="card-footer">{footer}</div>}
    </div>
  );
}

export function CardGrid({ children }: Props) {
  return <div className="card-grid">{children}</div>;
}

export default Card;
