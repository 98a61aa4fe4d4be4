// The builder's execution ports implemented over Berth's real parts, and the build service the
// API calls. This lives apart from src/builder because it needs the engine (RUN containers) and
// the image store (commits, pulls), which both import src/builder (`commit -c`, `import -c`): the
// builder stays pure, and this layer sits above all three.
export { BuildService, type BuildParams, type BuildServiceDeps, type BuildServiceImages } from './service.ts';
export { buildContainerLabel, type BuildContainers, type BuildImages, type ImagePuller } from './steps.ts';
