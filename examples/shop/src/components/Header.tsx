import Link from 'next/link';

export default function Header() {
  return (
    <header className="site-header">
      <Link href="/" className="logo">
        Shop
      </Link>
      <form action="/search" role="search">
        <input name="q" placeholder="Search" aria-label="Search products" />
      </form>
      <nav>
        <Link href="/cart">Cart</Link>
        <Link href="/account">Account</Link>
      </nav>
    </header>
  );
}
