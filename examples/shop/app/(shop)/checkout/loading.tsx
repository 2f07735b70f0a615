export default function CheckoutLoading() {
  return <p aria-busy="true">Preparing checkout…</p>;
}
