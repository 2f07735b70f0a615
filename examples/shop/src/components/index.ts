// Barrel: the public surface of the component library.
export { Button } from './Button';
export * from './Card';
export type { Props } from './types';
