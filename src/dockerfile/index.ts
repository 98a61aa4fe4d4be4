// Dockerfile syntax: single instructions for `import -c`/`commit -c` now; the builder extends it.
export { parseInstruction, applyChanges, applyInstruction, splitWords, parseKeyValues, type Instruction, type BuildState } from './instruction.ts';
