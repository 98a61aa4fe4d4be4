// Go's text/tabwriter (the elastic tabstops algorithm), with docker's change of measuring cells
// in terminal columns rather than runes.
//
// A cell is text terminated by a tab; a column block is a run of consecutive lines that all have
// a cell in that column, and every cell of a block is padded to the block's widest cell plus
// padding. The text after a line's last tab is not part of any column. A line without a tab
// ends every block, so the lines before it are written out at once.

/** Ignore HTML tags and count each entity (&…;) as one character. */
export const FilterHTML = 1 << 0;
/** Right-align cell content (ignored when padding with tabs). */
export const AlignRight = 1 << 2;
/** Drop columns whose cells are all empty and terminated by vertical tabs. */
export const DiscardEmptyColumns = 1 << 3;
/** Pad leading empty cells with tabs whatever the padding character. */
export const TabIndent = 1 << 4;
/** Print a vertical bar between columns. */
export const Debug = 1 << 5;

export interface TabWriterOptions {
  /** Minimal cell width, padding included. */
  minWidth: number;
  /** Width of a tab character, when padding with tabs. */
  tabWidth: number;
  /** Padding added to a cell's width. */
  padding: number;
  /** The padding character; '\t' pads with tabs and forces left alignment. */
  padChar?: string;
  flags?: number;
  /** How wide a cell's text is: runes (Go's tabwriter, the default) or terminalWidth (docker's). */
  cellWidth?: (text: string) => number;
}

interface Cell {
  /** Length of the cell's text in the buffer. */
  size: number;
  /** Width of the text for alignment. */
  width: number;
  /** Terminated by a horizontal tab (a vertical tab terminates a "soft" cell). */
  htab: boolean;
}

export function runeWidth(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

// Built on first use, as the Segmenter below: V8 checks a literal's Unicode property classes
// when it parses the file (~0.5 ms), and ASCII cells never need it.
let zeroWidth: RegExp | undefined;
const wide =
  /^[\u1100-\u115F\u231A\u231B\u2329\u232A\u23E9-\u23EC\u23F0\u23F3\u25FD\u25FE\u2614\u2615\u2648-\u2653\u267F\u2693\u26A1\u26AA\u26AB\u26BD\u26BE\u26C4\u26C5\u26CE\u26D4\u26EA\u26F2\u26F3\u26F5\u26FA\u26FD\u2705\u270A\u270B\u2728\u274C\u274E\u2753-\u2755\u2757\u2795-\u2797\u27B0\u27BF\u2B1B\u2B1C\u2B50\u2B55\u2E80-\u303E\u3041-\u33FF\u3400-\u4DBF\u4E00-\u9FFF\uA000-\uA4CF\uA960-\uA97F\uAC00-\uD7A3\uF900-\uFAFF\uFE10-\uFE19\uFE30-\uFE6F\uFF00-\uFF60\uFFE0-\uFFE6\u{16FE0}-\u{18CFF}\u{1B000}-\u{1B2FF}\u{1F004}\u{1F0CF}\u{1F18E}\u{1F191}-\u{1F19A}\u{1F200}-\u{1F2FF}\u{1F300}-\u{1F64F}\u{1F680}-\u{1F6FF}\u{1F7E0}-\u{1F7EB}\u{1F90C}-\u{1F9FF}\u{1FA70}-\u{1FAFF}\u{20000}-\u{2FFFD}\u{30000}-\u{3FFFD}]$/u;

function codePointWidth(ch: string): number {
  const cp = ch.codePointAt(0)!;
  if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || cp === 0xad) return 0;
  if (cp < 0x300) return 1;
  zeroWidth ??= new RegExp('^[\\p{Mn}\\p{Me}\\p{Cf}\\p{Cc}\\u1160-\\u11FF\\u200B-\\u200F\\u2028-\\u202E\\u2060-\\u206F]$', 'u');
  if (zeroWidth.test(ch)) return 0;
  return wide.test(ch) ? 2 : 1;
}

// Made on first use: creating a Segmenter loads ICU's break rules (7-18 ms here), a cost that every
// `berth ps` would pay at import although its cells are nearly always ASCII.
let graphemes: Intl.Segmenter | undefined;

/** Terminal columns of text, as go-runewidth's StringWidth (docker's tabwriter) counts them. */
export function terminalWidth(text: string): number {
  if (/^[\x20-\x7e]*$/.test(text)) return text.length;
  let width = 0;
  graphemes ??= new Intl.Segmenter('en', { granularity: 'grapheme' });
  for (const { segment } of graphemes.segment(text)) {
    for (const ch of segment) {
      const w = codePointWidth(ch);
      if (w > 0) {
        width += w;
        break;
      }
    }
  }
  return width;
}

export class TabWriter {
  readonly #minWidth: number;
  readonly #tabWidth: number;
  readonly #padding: number;
  readonly #padChar: string;
  readonly #flags: number;
  readonly #cellWidth: (text: string) => number;

  #buf = '';
  #pos = 0;
  #cell: Cell = { size: 0, width: 0, htab: false };
  #endChar = '';
  #lines: Cell[][] = [[]];
  #widths: number[] = [];
  #out = '';

  constructor(options: TabWriterOptions) {
    if (options.minWidth < 0 || options.tabWidth < 0 || options.padding < 0) throw new RangeError('negative minwidth, tabwidth, or padding');
    this.#minWidth = options.minWidth;
    this.#tabWidth = options.tabWidth;
    this.#padding = options.padding;
    this.#padChar = options.padChar ?? ' ';
    let flags = options.flags ?? 0;
    if (this.#padChar === '\t') flags &= ~AlignRight;
    this.#flags = flags;
    this.#cellWidth = options.cellWidth ?? runeWidth;
  }

  #reset(): void {
    this.#buf = '';
    this.#pos = 0;
    this.#cell = { size: 0, width: 0, htab: false };
    this.#endChar = '';
    this.#lines = [[]];
    this.#widths = [];
  }

  #writePadding(textw: number, cellw: number, useTabs: boolean): void {
    if (this.#padChar === '\t' || useTabs) {
      if (this.#tabWidth === 0) return;
      cellw = Math.ceil(cellw / this.#tabWidth) * this.#tabWidth;
      const n = cellw - textw;
      if (n < 0) throw new Error('tabwriter: internal error');
      this.#out += '\t'.repeat(Math.ceil(n / this.#tabWidth));
      return;
    }
    this.#out += this.#padChar.repeat(Math.max(0, cellw - textw));
  }

  #writeLines(pos0: number, line0: number, line1: number): number {
    let pos = pos0;
    for (let i = line0; i < line1; i++) {
      const line = this.#lines[i];
      let useTabs = (this.#flags & TabIndent) !== 0;
      line.forEach((c, j) => {
        if (j > 0 && (this.#flags & Debug) !== 0) this.#out += '|';
        if (c.size === 0) {
          if (j < this.#widths.length) this.#writePadding(c.width, this.#widths[j], useTabs);
          return;
        }
        useTabs = false;
        const text = this.#buf.slice(pos, pos + c.size);
        pos += c.size;
        if ((this.#flags & AlignRight) === 0) {
          this.#out += text;
          if (j < this.#widths.length) this.#writePadding(c.width, this.#widths[j], false);
        } else {
          if (j < this.#widths.length) this.#writePadding(c.width, this.#widths[j], false);
          this.#out += text;
        }
      });
      if (i + 1 === this.#lines.length) {
        // The last buffered line has no newline yet: write its unterminated cell as is.
        this.#out += this.#buf.slice(pos, pos + this.#cell.size);
        pos += this.#cell.size;
      } else {
        this.#out += '\n';
      }
    }
    return pos;
  }

  #format(pos0: number, line0: number, line1: number): number {
    let pos = pos0;
    const column = this.#widths.length;
    for (let t = line0; t < line1; t++) {
      if (column >= this.#lines[t].length - 1) continue;
      // A cell in this column starts a block: print the lines above it, then size the block.
      pos = this.#writeLines(pos, line0, t);
      line0 = t;
      let width = this.#minWidth;
      let discardable = true;
      for (; t < line1; t++) {
        const line = this.#lines[t];
        if (column >= line.length - 1) break;
        const c = line[column];
        width = Math.max(width, c.width + this.#padding);
        if (c.width > 0 || c.htab) discardable = false;
      }
      if (discardable && (this.#flags & DiscardEmptyColumns) !== 0) width = 0;
      this.#widths.push(width);
      pos = this.#format(pos, line0, t);
      this.#widths.pop();
      line0 = t;
    }
    return this.#writeLines(pos, line0, line1);
  }

  #append(text: string): void {
    this.#buf += text;
    this.#cell.size += text.length;
  }

  #updateWidth(): void {
    this.#cell.width += this.#cellWidth(this.#buf.slice(this.#pos));
    this.#pos = this.#buf.length;
  }

  #endEscape(): void {
    if (this.#endChar === ';') this.#cell.width++; // an entity counts as one character, a tag as none
    this.#pos = this.#buf.length;
    this.#endChar = '';
  }

  #terminateCell(htab: boolean): number {
    this.#cell.htab = htab;
    const line = this.#lines[this.#lines.length - 1];
    line.push(this.#cell);
    this.#cell = { size: 0, width: 0, htab: false };
    return line.length;
  }

  #flushBuffered(): void {
    if (this.#cell.size > 0) {
      if (this.#endChar !== '') this.#endEscape();
      this.#terminateCell(false);
    }
    this.#format(0, 0, this.#lines.length);
    this.#reset();
  }

  write(text: string): void {
    let n = 0;
    for (let i = 0; i < text.length; i++) {
      const ch = text[i];
      if (this.#endChar === '') {
        if (ch === '\t' || ch === '\v' || ch === '\n' || ch === '\f') {
          this.#append(text.slice(n, i));
          this.#updateWidth();
          n = i + 1;
          const ncells = this.#terminateCell(ch === '\t');
          if (ch === '\n' || ch === '\f') {
            this.#lines.push([]);
            // A line of one cell cannot affect the alignment of later lines: flush what we have.
            if (ch === '\f' || ncells === 1) {
              this.#flushBuffered();
              if (ch === '\f' && (this.#flags & Debug) !== 0) this.#out += '---\n';
            }
          }
        } else if ((ch === '<' || ch === '&') && (this.#flags & FilterHTML) !== 0) {
          this.#append(text.slice(n, i));
          this.#updateWidth();
          n = i;
          this.#endChar = ch === '<' ? '>' : ';';
        }
      } else if (ch === this.#endChar) {
        this.#append(text.slice(n, i + 1));
        n = i + 1;
        this.#endEscape();
      }
    }
    this.#append(text.slice(n));
  }

  /** Formats everything buffered and returns all output not yet returned. */
  flush(): string {
    this.#flushBuffered();
    const out = this.#out;
    this.#out = '';
    return out;
  }
}
