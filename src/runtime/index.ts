// The container runtime: OCI bundles, runc under conmon, attach sockets.
export { RuntimeError, runcMessage } from './errors.ts';
export { ConmonRuntime, type CreateOptions, type ExitStatus, type RuntimeOptions } from './conmon.ts';
export { AttachConnection, type OutputStream } from './attach.ts';
export type { ExecHandle, ExecOptions, OciProcess } from './exec.ts';
export {
  buildSpec,
  effectiveCapabilities,
  defaultCapabilities,
  allCapabilities,
  availableCapabilities,
  defaultMaskedPaths,
  defaultReadonlyPaths,
  type OciSpec,
  type OciMount,
  type SpecInput,
  type NamespaceChoice,
} from './spec.ts';
