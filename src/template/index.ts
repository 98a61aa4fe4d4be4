// Go's text/template and text/tabwriter, with docker's template functions and its --format
// conventions ("table …", "json"), for berth's --format flags.
//
// Data is plain JavaScript: objects are Go maps unless marked with asStruct(); exported
// function-valued properties are methods; integers are ints and other numbers float64s.
export { parseTemplate, Template, type ParseOptions, type ExecuteOptions } from './template.ts';
export type { ExecResult, MissingKey } from './exec.ts';
export { TemplateError, type TemplatePhase } from './template-error.ts';
export { renderFormat, rowJson, templateText, headerContext, type FormatOptions } from './format.ts';
export { TabWriter, terminalWidth, runeWidth, AlignRight, Debug, DiscardEmptyColumns, FilterHTML, TabIndent, type TabWriterOptions } from './tabwriter.ts';
export { goFunc, type TemplateFunc, type FuncSpec, type ParamType } from './func-spec.ts';
export { asStruct, withGoType, float64, Float64, funcValue, FuncValue, MISSING, isTrue, typeName } from './values.ts';
export { sprintf, sprint, sprintln, formatValue } from './fmt.ts';
export { goJson } from './json.ts';
