export type Messages = { blog: string; comingSoon: string };

const SUPPORTED = ['en', 'fr'] as const;
type Locale = (typeof SUPPORTED)[number];

function isLocale(value: string): value is Locale {
  return (SUPPORTED as readonly string[]).includes(value);
}

export async function loadMessages(locale: string): Promise<Messages> {
  const safe: Locale = isLocale(locale) ? locale : 'en';
  const mod = await import(`../locales/${safe}.json`);
  return mod.default as Messages;
}
