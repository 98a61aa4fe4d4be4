// What a container's record on disk must look like: config.v2.json (ContainerRecord) and
// hostconfig.json (HostConfig), checked when written and when loaded, so that a malformed record is
// never persisted and one that is found is skipped rather than breaking `ps` for everyone. Types
// only (see schema's checker): the API checked the values when the container was created.
import { checker, containerConfigFields, endpointSettings, go, hostConfig, portMap } from '../schema/index.ts';

const req = go.required;

/** The fields ContainerConfig always has (emptyContainerConfig fills them). */
const config = go.struct('container.Config', {
  ...containerConfigFields,
  Hostname: req(go.string()),
  Domainname: req(go.string()),
  User: req(go.string()),
  AttachStdin: req(go.bool()),
  AttachStdout: req(go.bool()),
  AttachStderr: req(go.bool()),
  Tty: req(go.bool()),
  OpenStdin: req(go.bool()),
  StdinOnce: req(go.bool()),
  Env: req(containerConfigFields.Env),
  Cmd: req(containerConfigFields.Cmd),
  Image: req(go.string()),
  Volumes: req(containerConfigFields.Volumes),
  WorkingDir: req(go.string()),
  Entrypoint: req(containerConfigFields.Entrypoint),
  OnBuild: req(containerConfigFields.OnBuild),
  Labels: req(containerConfigFields.Labels),
});

const state = go.struct('container.State', {
  Running: req(go.bool()),
  Paused: req(go.bool()),
  Restarting: req(go.bool()),
  OOMKilled: req(go.bool()),
  RemovalInProgress: req(go.bool()),
  Dead: req(go.bool()),
  Pid: req(go.int('int')),
  ExitCode: req(go.int('int')),
  Error: req(go.string()),
  StartedAt: req(go.string()),
  FinishedAt: req(go.string()),
  Health: go.struct('container.Health', {
    Status: req(go.enum(['starting', 'healthy', 'unhealthy'] as const, (v) => `invalid health status '${v}'`)),
    FailingStreak: req(go.int('int', { min: 0 })),
    Log: req(go.slice(go.struct('container.HealthcheckResult', { Start: req(go.string()), End: req(go.string()), ExitCode: req(go.int('int')), Output: req(go.string()) }))),
  }),
});

const mountPoint = go.struct('volume.MountPoint', {
  Type: req(go.string()),
  Source: req(go.string()),
  Destination: req(go.string()),
  RW: req(go.bool()),
  Name: req(go.string()),
  Driver: req(go.string()),
  Mode: req(go.string()),
  Propagation: req(go.string()),
  CopyData: req(go.bool()),
  CreateSource: go.bool(),
  TmpfsOptions: go.string(),
  VolumeOptions: go.struct('volume.Options', { Options: go.map(go.string()), Labels: go.map(go.string()) }),
  NonRecursive: go.bool(),
  Anonymous: go.bool(),
});

const containerRecord = go.struct('container.Container', {
  ID: req(go.string()),
  Created: req(go.string()),
  Path: req(go.string()),
  Args: req(go.slice(go.string())),
  Config: req(config),
  Image: req(go.string()),
  Name: req(go.string()),
  Driver: req(go.string()),
  Platform: req(go.string()),
  RestartCount: req(go.int('int')),
  HasBeenStartedBefore: req(go.bool()),
  HasBeenManuallyStopped: req(go.bool()),
  State: req(state),
  LogPath: req(go.string()),
  HostnamePath: req(go.string()),
  HostsPath: req(go.string()),
  ResolvConfPath: req(go.string()),
  NetworkSettings: req(
    go.struct('container.NetworkSettings', {
      SandboxKey: req(go.string()),
      Networks: req(go.map(endpointSettings)),
      SandboxID: go.string(),
      Ports: portMap,
    }),
  ),
  MountLabel: req(go.string()),
  ProcessLabel: req(go.string()),
  AppArmorProfile: req(go.string()),
  MountPoints: go.map(mountPoint),
});

/** The problem with a config.v2.json's content, or undefined when it is a container record. */
export const containerRecordProblem = checker(containerRecord);
/** The problem with a hostconfig.json's content (fields left out take their defaults). */
export const hostConfigProblem = checker(hostConfig);
