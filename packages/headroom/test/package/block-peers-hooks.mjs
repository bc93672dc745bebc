// The resolve hook of block-peers.mjs (module hooks run off the main thread, so they live in
// their own file): a blocked package is not found, as if it were not installed.
let blocked = [];

export function initialize(data) {
  blocked = data;
}

export async function resolve(specifier, context, nextResolve) {
  if (blocked.some((name) => specifier === name || specifier.startsWith(`${name}/`))) {
    throw Object.assign(new Error(`Cannot find package '${specifier}' (not installed in this test)`), { code: 'ERR_MODULE_NOT_FOUND' });
  }
  return nextResolve(specifier, context);
}
