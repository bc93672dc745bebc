/**
 * Checks the library's public options against docs/conventions.md with the TypeScript checker:
 * every exported `…Options` type reachable from a door (followed into nested option objects) is
 * read, and so are the constructors of exported classes and the parameters of exported functions.
 */
import ts from 'typescript';

/** One broken convention: where, and which rule. */
export interface Violation {
  readonly where: string;
  readonly rule: 'unit-suffix' | 'number-duration' | 'backoff-name' | 'positional-clock-random';
}

/** Instants (clock readings) keep `Ms` on inputs: conventions.md §1. */
const INSTANTS = new Set(['startMs', 'wallEpochMs']);
/** Option names that are lengths of time: they must accept a `Duration`. */
const TIME_WORD =
  /(timeout|interval|ttl|delay|window|halfLife|cooldown|decay|grace|heartbeat|reserve|minRemaining|minAttempt|minLatency|retryAfter|rtt)$/i;
/** Pure helpers that take their source as the last parameter (conventions.md §3). */
const PURE = new Set(['sleep', 'backoffDelay']);
/**
 * Exceptions, each for a stated reason:
 * - `CoarseClock` is a clock that decorates a clock: the wrapped clock is its subject, not a dependency;
 * - `Gradient2LimitOptions.longWindow` is a number of samples, not a time.
 */
const EXCEPTIONS = new Set(['new CoarseClock(base)', 'Gradient2LimitOptions.longWindow']);

/**
 * Reads the exports of `doors` (absolute paths) and reports every violation.
 * @param compilerOptions - the options the repository type-checks with
 */
export function checkConventions(doors: readonly string[], compilerOptions: ts.CompilerOptions): Violation[] {
  const program = ts.createProgram(doors, compilerOptions);
  const checker = program.getTypeChecker();
  const violations: Violation[] = [];
  const seen = new Set<ts.Type>();

  const report = (where: string, rule: Violation['rule']): void => {
    if (EXCEPTIONS.has(where)) return;
    if (!violations.some((v) => v.where === where && v.rule === rule)) violations.push({ where, rule });
  };

  const ownDeclaration = (d: ts.Declaration | undefined): boolean =>
    d !== undefined && !d.getSourceFile().fileName.includes('node_modules');

  const checkOptionsType = (type: ts.Type, path: string): void => {
    if (seen.has(type)) return;
    seen.add(type);
    for (const prop of checker.getPropertiesOfType(type)) {
      const decl = prop.valueDeclaration ?? prop.declarations?.[0];
      if (!ownDeclaration(decl) || !(decl !== undefined && (ts.isPropertySignature(decl) || ts.isPropertyDeclaration(decl)))) continue;
      const name = prop.getName();
      const where = `${path}.${name}`;
      const typeText = decl.type?.getText() ?? '';
      if (/Ms$/.test(name) && !INSTANTS.has(name)) report(where, 'unit-suffix');
      if (TIME_WORD.test(name) && /^number$/.test(typeText.trim())) report(where, 'number-duration');
      if (/^BackoffOptions\b/.test(typeText.trim()) && !/backoff$/i.test(name)) report(where, 'backoff-name');
      const propType = checker.getNonNullableType(checker.getTypeOfSymbol(prop));
      for (const part of propType.isUnion() ? propType.types : [propType]) {
        if (!(part.flags & ts.TypeFlags.Object) || part.getCallSignatures().length > 0) continue;
        const partDecl = part.getSymbol()?.declarations?.[0];
        // Nested option objects: anonymous literals, and named types whose name says they are options.
        const named = part.getSymbol()?.getName() ?? '';
        if (ownDeclaration(partDecl) && (named === '__type' || named.endsWith('Options'))) checkOptionsType(part, where);
      }
    }
  };

  const positional = (params: readonly ts.ParameterDeclaration[], where: string): void => {
    for (const p of params) {
      const text = p.type?.getText() ?? '';
      if (/^(Clock|Random)$/.test(text.trim())) report(`${where}(${p.name.getText()})`, 'positional-clock-random');
    }
  };

  for (const door of doors) {
    const source = program.getSourceFile(door);
    const module = source === undefined ? undefined : checker.getSymbolAtLocation(source);
    if (module === undefined) continue;
    for (let symbol of checker.getExportsOfModule(module)) {
      if (symbol.flags & ts.SymbolFlags.Alias) symbol = checker.getAliasedSymbol(symbol);
      const name = symbol.getName();
      const decl = symbol.declarations?.[0];
      if (decl === undefined || !ownDeclaration(decl)) continue;
      if ((ts.isInterfaceDeclaration(decl) || ts.isTypeAliasDeclaration(decl)) && name.endsWith('Options')) {
        checkOptionsType(checker.getDeclaredTypeOfSymbol(symbol), name);
      } else if (ts.isClassDeclaration(decl)) {
        for (const member of decl.members) {
          if (ts.isConstructorDeclaration(member) && !member.modifiers?.some((m) => m.kind === ts.SyntaxKind.PrivateKeyword)) {
            positional(member.parameters, `new ${name}`);
          }
        }
      } else if (ts.isFunctionDeclaration(decl) && !PURE.has(name)) {
        positional(decl.parameters, name);
      }
    }
  }
  return violations;
}
