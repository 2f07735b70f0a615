import { loadMessages } from '@/lib/i18n';

type Params = { slug: string[] };

export default async function BlogPostPage({ params }: { params: Params }) {
  const [locale, ...rest] = params.slug.length > 1 ? params.slug : ['en', ...params.slug];
  const messages = await loadMessages(locale);
  const path = rest.join('/');

  return (
    <article>
      <p className="crumbs">{messages.blog} / {path}</p>
      <h1>{path.replace(/-/g, ' ')}</h1>
      <p>{messages.comingSoon}</p>
    </article>
  );
}
