// The Compose Specification's document structure, stated in Berth's schema language. Every key
// the specification defines is here with the JSON types it admits; most scalars also admit a
// string because values may come from `${VAR}` (the types are then cast after substitution).
// compose-schema.test.ts checks this declaration against the specification's published JSON
// Schema: the same key paths, and the same verdict on a corpus of valid and invalid documents.
import { array, bounded, enumOf, mapOf, matching, object, oneOf, scalar, type Schema } from './schema.ts';

const str = scalar('string');
const num = scalar('number');
const nullType = scalar('null');
const boolOrString = scalar('boolean', 'string');
const numberOrString = scalar('number', 'string');
const intOrString = scalar('integer', 'string');
const anyKey = /^.+$/u;
const nameKey = /^[a-zA-Z0-9._-]+$/u;

const listOfStrings = array(str, { unique: true });
const stringList = array(str);
const listOrDict = oneOf(mapOf(/.+/u, scalar('string', 'number', 'boolean', 'null')), array(str, { unique: true }));
const stringOrList = oneOf(str, listOfStrings);
const command = oneOf(nullType, str, stringList);
const driverOpts = mapOf(anyKey, scalar('string', 'number'), { additional: true });

const extraHosts = oneOf(mapOf(/.+/u, oneOf(str, array(str))), array(str, { unique: true }));

const ulimits = mapOf(
  /^[a-z]+$/u,
  oneOf(intOrString, object({ hard: intOrString, soft: intOrString }, { required: ['soft', 'hard'], extensions: true })),
  { additional: true },
);

const serviceConfigOrSecret = array(
  oneOf(str, object({ source: str, target: str, uid: str, gid: str, mode: numberOrString }, { extensions: true })),
);

const blkioLimit = object({ path: str, rate: intOrString });
const blkioWeight = object({ path: str, weight: intOrString });

const envFile = oneOf(
  str,
  array(oneOf(str, object({ path: str, format: str, required: boolOrString }, { required: ['path'] }))),
);

const labelFile = oneOf(str, array(str));

const serviceHook = object(
  { command, user: str, privileged: boolOrString, working_dir: str, environment: listOrDict },
  { required: ['command'], extensions: true },
);

const healthcheck = object(
  {
    disable: boolOrString,
    interval: str,
    retries: numberOrString,
    test: oneOf(str, stringList),
    timeout: str,
    start_period: str,
    start_interval: str,
  },
  { extensions: true },
);

const development = object(
  {
    watch: array(
      object(
        {
          ignore: stringOrList,
          include: stringOrList,
          path: str,
          action: enumOf(['rebuild', 'sync', 'restart', 'sync+restart', 'sync+exec']),
          target: str,
          exec: serviceHook,
          initial_sync: scalar('boolean'),
        },
        { required: ['path', 'action'], extensions: true },
      ),
    ),
  },
  { extensions: true, alsoTypes: ['null'] },
);

const genericResources = array(
  object(
    { discrete_resource_spec: object({ kind: str, value: numberOrString }, { extensions: true }) },
    { extensions: true },
  ),
);

const deviceRequestProperties = {
  capabilities: listOfStrings,
  count: scalar('string', 'integer'),
  device_ids: listOfStrings,
  driver: str,
  options: listOrDict,
};

const devices = array(object(deviceRequestProperties, { required: ['capabilities'], extensions: true }));

const gpus = oneOf(
  enumOf(['all']),
  // The specification gives these items no additionalProperties rule: any key is accepted.
  array(object(deviceRequestProperties, { additional: true })),
);

const updateConfig = object(
  {
    parallelism: intOrString,
    delay: str,
    failure_action: str,
    monitor: str,
    max_failure_ratio: numberOrString,
    order: enumOf(['start-first', 'stop-first']),
  },
  { extensions: true },
);

const deployment = object(
  {
    mode: str,
    endpoint_mode: str,
    replicas: intOrString,
    labels: listOrDict,
    rollback_config: updateConfig,
    update_config: updateConfig,
    resources: object(
      {
        limits: object({ cpus: numberOrString, memory: str, pids: intOrString }, { extensions: true }),
        reservations: object(
          { cpus: numberOrString, memory: str, generic_resources: genericResources, devices },
          { extensions: true },
        ),
      },
      { extensions: true },
    ),
    restart_policy: object({ condition: str, delay: str, max_attempts: intOrString, window: str }, { extensions: true }),
    placement: object(
      {
        constraints: stringList,
        preferences: array(object({ spread: str }, { extensions: true })),
        max_replicas_per_node: intOrString,
      },
      { extensions: true },
    ),
  },
  { extensions: true, alsoTypes: ['null'] },
);

const build = oneOf(
  str,
  object(
    {
      context: str,
      dockerfile: str,
      dockerfile_inline: str,
      entitlements: stringList,
      args: listOrDict,
      ssh: listOrDict,
      labels: listOrDict,
      cache_from: stringList,
      cache_to: stringList,
      no_cache: boolOrString,
      additional_contexts: listOrDict,
      network: str,
      provenance: scalar('string', 'boolean'),
      sbom: scalar('string', 'boolean'),
      pull: boolOrString,
      target: str,
      shm_size: intOrString,
      extra_hosts: extraHosts,
      isolation: str,
      privileged: boolOrString,
      secrets: serviceConfigOrSecret,
      tags: stringList,
      ulimits,
      platforms: stringList,
    },
    { extensions: true },
  ),
);

const serviceVolume = object(
  {
    type: enumOf(['bind', 'volume', 'tmpfs', 'cluster', 'npipe', 'image']),
    source: str,
    target: str,
    read_only: boolOrString,
    consistency: str,
    bind: object(
      {
        propagation: str,
        create_host_path: boolOrString,
        recursive: enumOf(['enabled', 'disabled', 'writable', 'readonly']),
        selinux: enumOf(['z', 'Z']),
      },
      { extensions: true },
    ),
    volume: object({ labels: listOrDict, nocopy: boolOrString, subpath: str }, { extensions: true }),
    tmpfs: object({ size: oneOf(bounded('integer', { minimum: 0 }), str), mode: numberOrString }, { extensions: true }),
    image: object({ subpath: str }, { extensions: true }),
  },
  { required: ['type'], extensions: true },
);

const servicePort = object(
  {
    name: str,
    mode: str,
    host_ip: str,
    target: intOrString,
    published: intOrString,
    protocol: str,
    app_protocol: str,
  },
  { extensions: true },
);

const serviceNetwork = oneOf(
  object(
    {
      aliases: listOfStrings,
      interface_name: str,
      ipv4_address: str,
      ipv6_address: str,
      link_local_ips: listOfStrings,
      mac_address: str,
      driver_opts: driverOpts,
      priority: num,
      gw_priority: num,
    },
    { extensions: true },
  ),
  nullType,
);

export const serviceSchema: Schema = object(
  {
    develop: development,
    deploy: deployment,
    annotations: listOrDict,
    attach: boolOrString,
    build,
    blkio_config: object({
      device_read_bps: array(blkioLimit),
      device_read_iops: array(blkioLimit),
      device_write_bps: array(blkioLimit),
      device_write_iops: array(blkioLimit),
      weight: intOrString,
      weight_device: array(blkioWeight),
    }),
    cap_add: array(str, { unique: true }),
    cap_drop: array(str, { unique: true }),
    cgroup: enumOf(['host', 'private']),
    cgroup_parent: str,
    command,
    configs: serviceConfigOrSecret,
    container_name: matching(/[a-zA-Z0-9][a-zA-Z0-9_.-]+/u),
    cpu_count: oneOf(str, bounded('integer', { minimum: 0 })),
    cpu_percent: oneOf(str, bounded('integer', { minimum: 0, maximum: 100 })),
    cpu_shares: numberOrString,
    cpu_quota: numberOrString,
    cpu_period: numberOrString,
    cpu_rt_period: numberOrString,
    cpu_rt_runtime: numberOrString,
    cpus: numberOrString,
    cpuset: str,
    credential_spec: object({ config: str, file: str, registry: str }, { extensions: true }),
    depends_on: oneOf(
      listOfStrings,
      mapOf(
        nameKey,
        object(
          {
            restart: boolOrString,
            required: scalar('boolean'),
            condition: enumOf(['service_started', 'service_healthy', 'service_completed_successfully']),
          },
          { required: ['condition'], extensions: true },
        ),
      ),
    ),
    device_cgroup_rules: listOfStrings,
    devices: array(oneOf(str, object({ source: str, target: str, permissions: str }, { required: ['source'], extensions: true }))),
    dns: stringOrList,
    dns_opt: array(str, { unique: true }),
    dns_search: stringOrList,
    domainname: str,
    entrypoint: command,
    env_file: envFile,
    label_file: labelFile,
    environment: listOrDict,
    expose: array(scalar('string', 'number'), { unique: true }),
    extends: oneOf(str, object({ service: str, file: str }, { required: ['service'] })),
    provider: object(
      {
        type: str,
        options: mapOf(anyKey, oneOf(scalar('string', 'number', 'boolean'), array(scalar('string', 'number', 'boolean'))), { additional: true }),
      },
      { required: ['type'], extensions: true },
    ),
    external_links: array(str, { unique: true }),
    extra_hosts: extraHosts,
    gpus,
    group_add: array(scalar('string', 'number'), { unique: true }),
    healthcheck,
    hostname: str,
    image: str,
    init: boolOrString,
    ipc: str,
    isolation: str,
    labels: listOrDict,
    links: array(str, { unique: true }),
    logging: object(
      { driver: str, options: mapOf(anyKey, scalar('string', 'number', 'null'), { additional: true }) },
      { extensions: true },
    ),
    mac_address: str,
    mem_limit: numberOrString,
    mem_reservation: scalar('string', 'integer'),
    mem_swappiness: intOrString,
    memswap_limit: numberOrString,
    network_mode: str,
    models: oneOf(
      listOfStrings,
      mapOf(nameKey, object({ endpoint_var: str, model_var: str }, { extensions: true }), { additional: true }),
    ),
    networks: oneOf(listOfStrings, mapOf(nameKey, serviceNetwork)),
    oom_kill_disable: boolOrString,
    oom_score_adj: oneOf(str, bounded('integer', { minimum: -1000, maximum: 1000 })),
    pid: scalar('string', 'null'),
    pids_limit: numberOrString,
    platform: str,
    ports: array(oneOf(num, str, servicePort), { unique: true }),
    post_start: array(serviceHook),
    pre_stop: array(serviceHook),
    privileged: boolOrString,
    profiles: listOfStrings,
    // The specification's pattern is unanchored: any value containing one of these words passes.
    pull_policy: matching(/always|never|build|if_not_present|missing|refresh|daily|weekly|every_([0-9]+[wdhms])+/u),
    pull_refresh_after: str,
    read_only: boolOrString,
    restart: str,
    runtime: str,
    scale: intOrString,
    security_opt: array(str, { unique: true }),
    shm_size: numberOrString,
    secrets: serviceConfigOrSecret,
    sysctls: listOrDict,
    stdin_open: boolOrString,
    stop_grace_period: str,
    stop_signal: str,
    storage_opt: object({}, { additional: true }),
    tmpfs: stringOrList,
    tty: boolOrString,
    ulimits,
    use_api_socket: scalar('boolean'),
    user: str,
    uts: str,
    userns_mode: str,
    volumes: array(oneOf(str, serviceVolume), { unique: true }),
    volumes_from: array(str, { unique: true }),
    working_dir: str,
  },
  { extensions: true },
);

const externalRef = object({ name: str }, { extensions: true, alsoTypes: ['boolean', 'string'] });

const networkSchema = object(
  {
    name: str,
    driver: str,
    driver_opts: driverOpts,
    ipam: object(
      {
        driver: str,
        config: array(
          object(
            { subnet: str, ip_range: str, gateway: str, aux_addresses: mapOf(anyKey, str) },
            { extensions: true },
          ),
        ),
        options: mapOf(anyKey, str),
      },
      { extensions: true },
    ),
    external: externalRef,
    internal: boolOrString,
    enable_ipv4: boolOrString,
    enable_ipv6: boolOrString,
    attachable: boolOrString,
    labels: listOrDict,
  },
  { extensions: true, alsoTypes: ['null'] },
);

const volumeSchema = object(
  { name: str, driver: str, driver_opts: driverOpts, external: externalRef, labels: listOrDict },
  { extensions: true, alsoTypes: ['null'] },
);

// secrets' and configs' `external` objects have no additionalProperties rule in the specification.
const looseExternal = object({ name: str }, { additional: true, alsoTypes: ['boolean', 'string'] });

const secretSchema = object(
  {
    name: str,
    environment: str,
    file: str,
    external: looseExternal,
    labels: listOrDict,
    driver: str,
    driver_opts: driverOpts,
    template_driver: str,
  },
  { extensions: true },
);

const configSchema = object(
  {
    name: str,
    content: str,
    environment: str,
    file: str,
    external: looseExternal,
    labels: listOrDict,
    template_driver: str,
  },
  { extensions: true },
);

const modelSchema = object(
  { name: str, model: str, context_size: scalar('integer'), runtime_flags: stringList },
  { required: ['model'], extensions: true },
);

const includeSchema = oneOf(str, object({ path: stringOrList, env_file: stringOrList, project_directory: str }));

/** A whole compose document. */
export const composeSchema: Schema = object(
  {
    version: str,
    name: str,
    include: array(includeSchema),
    services: mapOf(nameKey, serviceSchema),
    models: mapOf(nameKey, modelSchema, { additional: true }),
    networks: mapOf(nameKey, networkSchema, { additional: true }),
    volumes: mapOf(nameKey, volumeSchema),
    secrets: mapOf(nameKey, secretSchema),
    configs: mapOf(nameKey, configSchema),
  },
  { extensions: true },
);

