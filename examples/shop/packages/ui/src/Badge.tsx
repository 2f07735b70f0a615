type BadgeProps = {
  children: React.ReactNode;
  tone?: 'info' | 'success' | 'danger';
};

export function Badge({ children, tone = 'info' }: BadgeProps) {
  return (
    <span className={`ui-badge ui-badge--${tone}`} role="status">
      {children}
    </span>
  );
}
