import { NextResponse } from 'next/server';
import { addItem, getCart } from '@/lib/cart';

export async function GET() {
  return NextResponse.json(getCart());
}

export async function POST(request: Request) {
  const form = await request.formData();
  const productId = String(form.get('productId') ?? '');
  if (!productId) {
    return NextResponse.json({ error: 'productId is required' }, { status: 400 });
  }
  addItem({ id: productId, title: productId, price: 0 }, 1);
  return NextResponse.redirect(new URL('/cart', request.url), 303);
}
