'use client';

import { useState } from 'react';
import { Card } from './Card';

type ProductGalleryProps = { images: string[] };

export default function ProductGallery({ images }: ProductGalleryProps) {
  const [current, setCurrent] = useState(0);
  if (images.length === 0) return null;

  return (
    <Card title="Gallery">
      <img src={images[current]} alt="" width={480} />
      <div className="thumbs">
        {images.map((src, i) => (
          <button key={src} onClick={() => setCurrent(i)} aria-pressed={i === current}>
            <img src={src} alt="" width={64} />
          </button>
        ))}
      </div>
    </Card>
  );
}
