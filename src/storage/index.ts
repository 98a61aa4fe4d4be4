// Storage: the overlay2 driver and the layer store above it. Image layers are identified by chain
// id; each container gets an init layer and a read-write layer on top of its image. It knows
// layers and mounts only: image configs belong to src/image and containers to src/engine, and
// mounting goes through src/sys.
export { Overlay2Driver, type LayerOwnership } from './overlay2.ts';
export { LayerStore, chainIds, type Layer, type RwLayer, type ScratchLayer } from './layer-store.ts';
export type { Change } from '../archive/index.ts';
