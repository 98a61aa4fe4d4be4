// `command: echo "a b"` and `entrypoint:` strings are split into words the way compose does it,
// with mattn/go-shellwords' default parser: quotes and backslashes are honoured, nothing is
// expanded, and the line ends at the first unquoted ; & | < > (compose silently drops the rest:
// `command: a && b` runs `a`, which is why users quote such commands or use `sh -c`).
import { InvalidArgument } from '../errors/index.ts';

const isSpace = (c: string): boolean => c === ' ' || c === '\t' || c === '\r' || c === '\n';

export function splitShellWords(line: string): string[] {
  const args: string[] = [];
  let buf = '';
  let escaped = false;
  let doubleQuoted = false;
  let singleQuoted = false;
  let backQuote = false;
  let dollarQuote = false;
  let got: 'none' | 'single' | 'quoted' = 'none';
  const invalid = () => new InvalidArgument(`invalid command line string: ${JSON.stringify(line)}`);

  loop: for (const ch of line) {
    let r = ch;
    if (escaped) {
      if (r === 't') r = '\t';
      if (r === 'n') r = '\n';
      buf += r;
      escaped = false;
      got = 'single';
      continue;
    }
    if (r === '\\') {
      if (singleQuoted) buf += r;
      else escaped = true;
      continue;
    }
    if (isSpace(r)) {
      if (singleQuoted || doubleQuoted || backQuote || dollarQuote) buf += r;
      else if (got !== 'none') {
        args.push(buf);
        buf = '';
        got = 'none';
      }
      continue;
    }
    switch (r) {
      case '`':
        if (!singleQuoted && !doubleQuoted && !dollarQuote) backQuote = !backQuote;
        break;
      case ')':
        if (!singleQuoted && !doubleQuoted && !backQuote) {
          if (!dollarQuote) throw invalid();
          buf += r;
          dollarQuote = false;
          got = 'single';
          continue;
        }
        break;
      case '(':
        if (!singleQuoted && !doubleQuoted && !backQuote) {
          if (!dollarQuote && buf.endsWith('$')) {
            dollarQuote = true;
            buf += '(';
            continue;
          }
          throw invalid();
        }
        break;
      case '"':
        if (!singleQuoted && !dollarQuote) {
          if (doubleQuoted) got = 'quoted';
          doubleQuoted = !doubleQuoted;
          continue;
        }
        break;
      case "'":
        if (!doubleQuoted && !dollarQuote) {
          if (singleQuoted) got = 'quoted';
          singleQuoted = !singleQuoted;
          continue;
        }
        break;
      case ';':
      case '&':
      case '|':
      case '<':
      case '>':
        if (!(singleQuoted || doubleQuoted || backQuote || dollarQuote)) {
          if (r === '>' && buf.length > 0 && buf[0] >= '0' && buf[0] <= '9') got = 'none';
          break loop;
        }
        break;
    }
    got = 'single';
    buf += r;
  }
  if (got !== 'none') args.push(buf);
  if (escaped || singleQuoted || doubleQuoted || backQuote || dollarQuote) throw invalid();
  return args;
}
