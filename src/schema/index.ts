// The shapes Berth accepts and stores, stated in code: JSON Schema built with TypeBox and read
// with Go's encoding/json rules (go.ts), so that requests are checked at the API edge and records
// when they are written and loaded, with dockerd's wording. Only berthd loads this module: the
// CLI never imports it (a test checks its bundle).
export { go, decoder, checker, warmUp, type Decoder, type Static, type TSchema, type TRequired, type StringOptions, type IntOptions } from './go.ts';
export {
  containerConfig,
  containerConfigFields,
  containerPortProblem,
  endpointSettings,
  healthConfig,
  hostConfig,
  hostConfigFields,
  hostPortProblem,
  imageConfig,
  mountSpec,
  networkingConfig,
  portMap,
  restartPolicyNames,
  signalProblem,
  updateConfig,
} from './docker.ts';
