import Link from 'next/link';
import { Button } from '@/components';

export default function NotFound() {
  return (
    <section>
      <h1>Page not found</h1>
      <p>We could not find what you were looking for.</p>
      <Link href="/">
        <Button label="Back to the shop" />
      </Link>
    </section>
  );
}
