// Storage: the overlay2 driver and the layer store above it. Image layers are identified by chain
// id; each container gets an init layer and a read-write layer on top of its image.
export { Overlay2Driver } from './overlay2.ts';
export { LayerStore, chainIds, type Layer, type RwLayer, type ScratchLayer } from './layer-store.ts';
export type { Change } from '../archive/index.ts';
