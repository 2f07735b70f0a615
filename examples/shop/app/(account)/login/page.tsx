'use client';

import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { Button } from '@/components';

export default function LoginPage() {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);

  async function onSubmit(event: React.FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const res = await fetch('/api/login', { method: 'POST', body: data });
    if (res.ok) {
      router.push('/account');
    } else {
      setError('Wrong email or password');
    }
  }

  return (
    <form onSubmit={onSubmit}>
      <h1>Sign in</h1>
      <input name="email" type="email" placeholder="Email" required />
      <input name="password" type="password" placeholder="Password" required />
      {error && <p role="alert">{error}</p>}
      <Button type="submit" label="Sign in" />
    </form>
  );
}
