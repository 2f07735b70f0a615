export type Props = {
  id?: string;
  className?: string;
  children?: React.ReactNode;
};

export type ButtonVariant = 'primary' | 'secondary' | 'ghost';
