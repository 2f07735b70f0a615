// Legacy analytics shim (CommonJS, predates the TypeScript migration).
const queue = [];

function track(event, properties) {
  queue.push({ event, properties: properties || {}, at: Date.now() });
  if (typeof window !== 'undefined' && window.dataLayer) {
    window.dataLayer.push({ event, ...properties });
  }
}

function flush() {
  return queue.splice(0, queue.length);
}

module.exports = { track, flush };
