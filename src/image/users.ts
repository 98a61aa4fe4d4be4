// What the image subsystem asks of the containers, as a port it owns (the engine's container store
// answers it): which containers were created from an image.
export interface ImageUsers {
  containersUsingImage(imageId: string): Array<{ id: string; running: boolean }>;
}
