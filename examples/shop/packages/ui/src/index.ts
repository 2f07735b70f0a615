export { Badge } from './Badge';
export { Money } from './Money';
