import { redirect } from 'next/navigation';
import { getSession } from '@/lib/api';

export default async function AccountPage() {
  const session = await getSession();
  if (!session) {
    redirect('/login');
  }

  return (
    <section>
      <h1>Hello, {session.name}</h1>
      <p>Signed in as {session.email}</p>
      <form action="/api/logout" method="post">
        <button type="submit">Sign out</button>
      </form>
    </section>
  );
}
