// Just enough POSIX shell to run what students and graders type after `sh -c`: words with
// quotes and escapes, $VAR expansion, and lists joined by `;`, `&&`, `||`. Pipes, redirections
// and substitutions are refused with a message that names the construct.

/** One simple command of a list and the operator that joins it to the previous one. */
export interface ListItem {
  argv: string[];
  /** How this command is joined to the previous one (`;` for the first). */
  joiner: ';' | '&&' | '||';
}

/** A parse result: a command list, or the construct kube-sim does not emulate. */
export type ParseResult = { ok: true; list: ListItem[] } | { ok: false; unsupported: string };

/** Parse a shell script into a list of simple commands. */
export function parseShell(script: string, env: Record<string, string>): ParseResult {
  const list: ListItem[] = [];
  let argv: string[] = [];
  let word = '';
  let inWord = false;
  let joiner: ListItem['joiner'] = ';';
  const endWord = () => {
    if (inWord) argv.push(word);
    word = '';
    inWord = false;
  };
  const endCommand = (next: ListItem['joiner']) => {
    endWord();
    if (argv.length > 0) list.push({ argv, joiner });
    argv = [];
    joiner = next;
  };
  const expand = (i: number): [string, number] => {
    // script[i] === '$'
    const rest = script.slice(i + 1);
    const braced = /^\{([A-Za-z_][A-Za-z0-9_]*)\}/.exec(rest);
    if (braced) return [env[braced[1] ?? ''] ?? '', i + 1 + braced[0].length];
    const plain = /^([A-Za-z_][A-Za-z0-9_]*|\?)/.exec(rest);
    if (plain) return [env[plain[1] ?? ''] ?? '', i + 1 + plain[0].length];
    return ['$', i + 1];
  };
  let i = 0;
  while (i < script.length) {
    const c = script[i] as string;
    if (c === '\\') {
      if (script[i + 1] === '\n') {
        i += 2;
        continue;
      }
      word += script[i + 1] ?? '';
      inWord = true;
      i += 2;
    } else if (c === "'") {
      const end = script.indexOf("'", i + 1);
      if (end < 0) return { ok: false, unsupported: 'unterminated quoted string' };
      word += script.slice(i + 1, end);
      inWord = true;
      i = end + 1;
    } else if (c === '"') {
      inWord = true;
      i++;
      for (;;) {
        if (i >= script.length) return { ok: false, unsupported: 'unterminated quoted string' };
        const d = script[i] as string;
        if (d === '"') {
          i++;
          break;
        }
        if (d === '\\' && '"\\$`\n'.includes(script[i + 1] ?? '')) {
          word += script[i + 1];
          i += 2;
        } else if (d === '$' && script[i + 1] !== '(') {
          const [v, j] = expand(i);
          word += v;
          i = j;
        } else if (d === '`' || (d === '$' && script[i + 1] === '(')) {
          return { ok: false, unsupported: 'command substitution' };
        } else {
          word += d;
          i++;
        }
      }
    } else if (c === '$') {
      if (script[i + 1] === '(') return { ok: false, unsupported: 'command substitution' };
      const [v, j] = expand(i);
      word += v;
      inWord = true;
      i = j;
    } else if (c === '`') {
      return { ok: false, unsupported: 'command substitution' };
    } else if (c === ' ' || c === '\t') {
      endWord();
      i++;
    } else if (c === '\n' || c === ';') {
      endCommand(';');
      i++;
    } else if (c === '&' && script[i + 1] === '&') {
      endCommand('&&');
      i += 2;
    } else if (c === '|' && script[i + 1] === '|') {
      endCommand('||');
      i += 2;
    } else if (c === '|' || c === '&' || c === '>' || c === '<' || c === '(' || c === ')') {
      return {
        ok: false,
        unsupported:
          c === '|'
            ? 'pipes'
            : c === '&'
              ? 'background jobs'
              : c === '(' || c === ')'
                ? 'subshells'
                : 'redirections',
      };
    } else if (c === '#' && !inWord) {
      while (i < script.length && script[i] !== '\n') i++;
    } else {
      word += c;
      inWord = true;
      i++;
    }
  }
  endCommand(';');
  return { ok: true, list };
}
