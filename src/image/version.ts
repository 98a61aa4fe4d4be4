/** The docker_version written into the configs of images Berth makes (import, commit). */
export const engineVersion = '20.10.24-berth';
