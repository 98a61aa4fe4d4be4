// Go's text/tabwriter (left-aligned, no flags): tab-terminated cells are aligned in column
// blocks of consecutive lines; the text after a line's last tab is not part of any column.

export interface TabWriterOptions {
  minWidth: number;
  tabWidth: number;
  padding: number;
  padChar: string;
}

interface Cell {
  text: string;
  width: number;
}

export class TabWriter {
  #opts: TabWriterOptions;
  #text = '';

  constructor(options: TabWriterOptions) {
    this.#opts = options;
  }

  write(text: string): void {
    this.#text += text;
  }

  /** Formats everything written so far and returns it. */
  flush(): string {
    const text = this.#text;
    this.#text = '';
    const rawLines = text.split('\n');
    const endsWithNewline = text.endsWith('\n');
    if (endsWithNewline) rawLines.pop();
    const lines: Cell[][] = rawLines.map((l) => l.split('\t').map((t) => ({ text: t, width: [...t].length })));
    const widths: number[] = [];
    const out: string[] = [];

    const writeLines = (line0: number, line1: number) => {
      for (let i = line0; i < line1; i++) {
        const line = lines[i];
        let s = '';
        line.forEach((c, j) => {
          s += c.text;
          if (j < widths.length) s += this.#opts.padChar.repeat(Math.max(0, widths[j] - c.width));
        });
        out.push(s + (i + 1 < lines.length || endsWithNewline ? '\n' : ''));
      }
    };

    const format = (line0: number, line1: number) => {
      const column = widths.length;
      for (let t = line0; t < line1; t++) {
        if (column >= lines[t].length - 1) continue;
        writeLines(line0, t);
        line0 = t;
        let width = this.#opts.minWidth;
        for (; t < line1; t++) {
          const line = lines[t];
          if (column >= line.length - 1) break;
          const w = line[column].width + this.#opts.padding;
          if (w > width) width = w;
        }
        widths.push(width);
        format(line0, t);
        widths.pop();
        line0 = t;
        t--; // the outer loop re-examines line t
      }
      writeLines(line0, line1);
    };

    // format() writes lines it is done with; a block ending at the last line writes the rest.
    formatAll(lines.length);
    return out.join('');

    function formatAll(n: number) {
      format(0, n);
    }
  }
}
