// The error of a template that does not parse or fails while executing. Its message is Go's
// ("template: :1: unexpected \"}\" in operand", "template: :1:2: executing \"\" at <.Foo>: …");
// docker prefixes both kinds with "template parsing error: ".
import { InvalidArgument } from '../errors/index.ts';

export type TemplatePhase = 'parse' | 'exec';

export class TemplateError extends InvalidArgument {
  readonly phase: TemplatePhase;
  constructor(message: string, phase: TemplatePhase = 'parse') {
    super(message);
    this.phase = phase;
  }
}
