import { existsSync } from 'node:fs'
import { readdir, readFile } from 'node:fs/promises'
import path from 'node:path'
import ts from 'typescript'
import { createVitest } from 'vitest/node'

// `npm run test:tiers`, part of `npm test` (see docs/testing.md). Fails when
// - a test file on disk is in no vitest project (so no tier runs it) or in more than one;
// - a unit test starts child processes: one of its imports, followed through the repo's own files, reaches
//   node:child_process (rename it *.e2e.test.ts);
// - an e2e test starts none (rename it *.test.ts, so the fast tier has it).

const ROOT = path.resolve(import.meta.dirname, '..')
const SKIP_DIRS = new Set(['node_modules', 'dist', 'coverage', '.git'])
const LOOKS_LIKE_A_TEST = /\.(test|spec)\.[cm]?[jt]sx?$/
const PROCESS_MODULES = new Set(['child_process', 'node:child_process', 'cluster', 'node:cluster'])

const rel = (file: string) => path.relative(ROOT, file)

async function testFilesOnDisk(dir: string): Promise<string[]> {
  const found: string[] = []
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name)
    if (entry.isDirectory() && !SKIP_DIRS.has(entry.name)) found.push(...(await testFilesOnDisk(full)))
    else if (entry.isFile() && LOOKS_LIKE_A_TEST.test(entry.name)) found.push(full)
  }
  return found
}

/** Which vitest projects collect each file, asked of vitest itself with the repo's config. */
async function projectsByFile(): Promise<Map<string, string[]>> {
  const vitest = await createVitest('test', { root: ROOT, watch: false })
  try {
    const byFile = new Map<string, string[]>()
    for (const spec of await vitest.globTestSpecifications()) {
      byFile.set(spec.moduleId, [...(byFile.get(spec.moduleId) ?? []), spec.project.name])
    }
    return byFile
  } finally {
    await vitest.close()
  }
}

/** The module specifiers a file loads at run time (`import type` and `export type` load nothing). */
function runtimeImports(file: string, text: string): string[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS)
  const specifiers: string[] = []
  const visit = (node: ts.Node) => {
    if (ts.isImportDeclaration(node) && !node.importClause?.isTypeOnly) {
      if (ts.isStringLiteral(node.moduleSpecifier)) specifiers.push(node.moduleSpecifier.text)
    } else if (ts.isExportDeclaration(node) && !node.isTypeOnly && node.moduleSpecifier) {
      if (ts.isStringLiteral(node.moduleSpecifier)) specifiers.push(node.moduleSpecifier.text)
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const [arg] = node.arguments
      if (arg && ts.isStringLiteralLike(arg)) specifiers.push(arg.text)
    }
    ts.forEachChild(node, visit)
  }
  visit(source)
  return specifiers
}

function resolveRelative(from: string, specifier: string): string | undefined {
  const target = path.resolve(path.dirname(from), specifier)
  const candidates = [target.replace(/\.js$/, '.ts'), target, `${target}.ts`, path.join(target, 'index.ts')]
  return candidates.find((candidate) => candidate.endsWith('.ts') && existsSync(candidate))
}

const chains = new Map<string, string[] | null>()

/** The import chain from `file` to a process-starting module, or null when it reaches none. */
async function processChain(file: string): Promise<string[] | null> {
  const known = chains.get(file)
  if (known !== undefined) return known
  chains.set(file, null) // an import cycle back to this file adds nothing
  for (const specifier of runtimeImports(file, await readFile(file, 'utf8'))) {
    let chain: string[] | null = null
    if (PROCESS_MODULES.has(specifier)) chain = [specifier]
    else if (specifier.startsWith('.')) {
      const target = resolveRelative(file, specifier)
      const rest = target ? await processChain(target) : null
      if (rest) chain = [rel(target!), ...rest]
    }
    if (chain) {
      chains.set(file, chain)
      return chain
    }
  }
  return null
}

const problems: string[] = []
const byFile = await projectsByFile()
const onDisk = await testFilesOnDisk(ROOT)
const counts = new Map<string, number>()
for (const file of [...new Set([...onDisk, ...byFile.keys()])].sort()) {
  const projects = byFile.get(file) ?? []
  const name = rel(file)
  if (projects.length === 0) {
    problems.push(
      `${name}: in no tier, so no test run includes it; name it *.test.ts (unit) or *.e2e.test.ts (e2e)`,
    )
    continue
  }
  if (projects.length > 1) {
    problems.push(
      `${name}: in more than one tier (${projects.join(', ')}); each test file belongs to exactly one`,
    )
    continue
  }
  const tier = projects[0]!
  counts.set(tier, (counts.get(tier) ?? 0) + 1)
  const chain = await processChain(file)
  if (tier === 'unit' && chain) {
    problems.push(
      `${name}: in the unit tier but starts child processes (imports ${chain.join(' -> ')}); rename it *.e2e.test.ts`,
    )
  } else if (tier === 'e2e' && !chain) {
    problems.push(
      `${name}: in the e2e tier but no import reaches node:child_process; rename it *.test.ts (the unit tier)`,
    )
  }
}

if (problems.length > 0) {
  process.stderr.write(
    `test tiers: ${problems.length} problem(s) (docs/testing.md)\n${problems.join('\n')}\n`,
  )
  process.exit(1)
}
const summary = [...counts].map(([tier, n]) => `${n} ${tier}`).join(', ')
process.stdout.write(`test tiers: ${summary} test files, each in exactly one tier\n`)
