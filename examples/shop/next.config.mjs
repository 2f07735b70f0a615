/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  transpilePackages: ['@shop/ui'],
  images: {
    remotePatterns: [{ protocol: 'https', hostname: 'images.example-shop.test' }],
  },
  async redirects() {
    return [{ source: '/basket', destination: '/cart', permanent: true }];
  },
};

export default nextConfig;
