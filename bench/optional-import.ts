/**
 * Import a project module that may not exist yet (other parts are written in parallel). `spec` is relative to
 * the repo root, e.g. `src/rules/evaluator.js`. Resolves to the module or to the reason it could not be loaded.
 */
export async function optionalImport<T>(spec: string): Promise<{ module: T } | { missing: string }> {
  const url = new URL(`../${spec}`, import.meta.url).href
  try {
    return { module: (await import(url)) as T }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    const message = (error as Error).message.split('\n')[0]
    const own = `Cannot find module '${new URL(`../${spec}`, import.meta.url).pathname}'`
    if (code === 'ERR_MODULE_NOT_FOUND' && message?.startsWith(own)) {
      return { missing: `${spec} does not exist yet` }
    }
    return { missing: `${spec} failed to load: ${message}` }
  }
}
