import styles from './Button.module.css';
import type { ButtonVariant, Props } from './types';

type ButtonProps = Props & {
  label: string;
  type?: 'button' | 'submit';
  variant?: ButtonVariant;
  onClick?: () => void;
};

export function Button({ label, type = 'button', variant = 'primary', onClick, className }: ButtonProps) {
  return (
    <button
      type={type}
      className={[styles.button, styles[variant], className].filter(Boolean).join(' ')}
      onClick={onClick}
    >
      {label}
    </button>
  );
}

export default Button;
