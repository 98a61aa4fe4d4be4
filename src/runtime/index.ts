// The container runtime: OCI bundles, runc under conmon, attach sockets.
export { ConmonRuntime, RuntimeError, runcMessage, type CreateOptions, type ExitStatus, type RuntimeOptions } from './conmon.ts';
export { AttachConnection, type OutputStream } from './attach.ts';
export {
  buildSpec,
  effectiveCapabilities,
  defaultCapabilities,
  allCapabilities,
  defaultMaskedPaths,
  defaultReadonlyPaths,
  type OciSpec,
  type OciMount,
  type SpecInput,
  type NamespaceChoice,
} from './spec.ts';
