import { NextResponse } from 'next/server';
import type { NextRequest } from 'next/server';

// Only signed-in customers may see /account and its sub-pages.
export function middleware(request: NextRequest) {
  const session = request.cookies.get('shop_session');
  if (!session) {
    const url = request.nextUrl.clone();
    url.pathname = '/login';
    url.searchParams.set('next', request.nextUrl.pathname);
    return NextResponse.redirect(url);
  }
  return NextResponse.next();
}

export const config = {
  matcher: ['/account', '/account/:path*'],
};
