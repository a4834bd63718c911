/** RE2 regular expressions (linear-time matching) for silence matchers; to become src/rules/safe-regex.ts. */
export { RE2JS } from 're2js'
