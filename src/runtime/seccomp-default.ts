// The default seccomp profile: everything a container is denied unless listed here (EPERM), with
// the same effect as Docker's default profile. Stated as what is allowed and why: system calls
// any process may make, grouped by what they are for; those gated on a capability the container
// holds (a container given CAP_SYS_ADMIN may mount); those of one architecture; and the few
// allowed only with certain arguments (clone without namespace flags, personality's harmless
// personas, socket without AF_ALG/AF_VSOCK). The tests compare its effect, architecture by
// architecture and capability by capability, with Docker's published profile.
import type { DockerSeccompProfile, DockerSeccompRule, SeccompArg } from './seccomp.ts';

const words = (s: string): string[] => s.trim().split(/\s+/);

/** Allowed for every container, whatever its capabilities. */
const unconditional: Record<string, string> = {
  fileIo: `read readv pread64 preadv preadv2 write writev pwrite64 pwritev pwritev2 open openat openat2 creat close
    close_range dup dup2 dup3 lseek _llseek fcntl fcntl64 ioctl sendfile sendfile64 splice tee vmsplice copy_file_range
    fadvise64 fadvise64_64 readahead fallocate fsync fdatasync sync syncfs sync_file_range flock truncate truncate64
    ftruncate ftruncate64 pipe pipe2`,
  fileMetadata: `access faccessat faccessat2 stat stat64 lstat lstat64 fstat fstat64 fstatat64 newfstatat statx statfs
    statfs64 fstatfs fstatfs64 chmod fchmod fchmodat fchmodat2 chown chown32 fchown fchown32 fchownat lchown lchown32
    chdir fchdir getcwd mkdir mkdirat mknod mknodat rmdir rename renameat renameat2 link linkat symlink symlinkat unlink
    unlinkat readlink readlinkat getdents getdents64 umask utime utimes utimensat utimensat_time64 futimesat
    name_to_handle_at statmount listmount`,
  xattrs: `getxattr lgetxattr fgetxattr getxattrat setxattr lsetxattr fsetxattr setxattrat listxattr llistxattr
    flistxattr listxattrat removexattr lremovexattr fremovexattr removexattrat`,
  waiting: `poll ppoll ppoll_time64 select _newselect pselect6 pselect6_time64 epoll_create epoll_create1 epoll_ctl
    epoll_ctl_old epoll_wait epoll_wait_old epoll_pwait epoll_pwait2 eventfd eventfd2 inotify_init inotify_init1
    inotify_add_watch inotify_rm_watch fanotify_mark signalfd signalfd4 timerfd_create timerfd_settime
    timerfd_settime64 timerfd_gettime timerfd_gettime64`,
  asyncIo: `io_setup io_destroy io_submit io_cancel io_getevents io_pgetevents io_pgetevents_time64 ioprio_get
    ioprio_set`,
  memory: `brk mmap mmap2 munmap mremap mprotect pkey_mprotect pkey_alloc pkey_free madvise mincore msync mlock mlock2
    mlockall munlock munlockall membarrier memfd_create memfd_secret remap_file_pages map_shadow_stack mseal cachestat`,
  processes: `fork vfork execve execveat exit exit_group wait4 waitid waitpid kill tkill tgkill getpid getppid gettid
    getpgid getpgrp setpgid getsid setsid set_tid_address set_robust_list get_robust_list futex futex_time64
    futex_waitv futex_wait futex_wake futex_requeue rseq restart_syscall pause prctl prlimit64 getrlimit setrlimit
    ugetrlimit getrusage getpriority setpriority get_thread_area set_thread_area pidfd_open pidfd_send_signal
    process_mrelease seccomp landlock_create_ruleset landlock_add_rule landlock_restrict_self uretprobe riscv_hwprobe`,
  signals: `rt_sigaction rt_sigpending rt_sigprocmask rt_sigqueueinfo rt_sigreturn rt_sigsuspend rt_sigtimedwait
    rt_sigtimedwait_time64 rt_tgsigqueueinfo sigaltstack sigprocmask sigreturn alarm getitimer setitimer`,
  scheduling: `sched_getaffinity sched_setaffinity sched_getattr sched_setattr sched_getparam sched_setparam
    sched_getscheduler sched_setscheduler sched_get_priority_max sched_get_priority_min sched_rr_get_interval
    sched_rr_get_interval_time64 sched_yield getcpu`,
  credentials: `getuid getuid32 geteuid geteuid32 getgid getgid32 getegid getegid32 getresuid getresuid32 getresgid
    getresgid32 getgroups getgroups32 setuid setuid32 setgid setgid32 setreuid setreuid32 setregid setregid32 setresuid
    setresuid32 setresgid setresgid32 setfsuid setfsuid32 setfsgid setfsgid32 setgroups setgroups32 capget capset`,
  time: `time gettimeofday clock_gettime clock_gettime64 clock_getres clock_getres_time64 clock_nanosleep
    clock_nanosleep_time64 nanosleep clock_adjtime clock_adjtime64 adjtimex times timer_create timer_delete
    timer_getoverrun timer_gettime timer_gettime64 timer_settime timer_settime64`,
  sockets: `socketpair socketcall bind connect listen accept accept4 getsockname getpeername getsockopt setsockopt
    shutdown send sendto sendmsg sendmmsg recv recvfrom recvmsg recvmmsg recvmmsg_time64`,
  ipc: `ipc msgget msgsnd msgrcv msgctl semget semop semtimedop semtimedop_time64 semctl shmget shmat shmdt shmctl
    mq_open mq_unlink mq_timedsend mq_timedsend_time64 mq_timedreceive mq_timedreceive_time64 mq_notify
    mq_getsetattr`,
  system: 'uname sysinfo getrandom',
};

/** Allowed when the container's bounding set holds the capability that guards them. */
const byCapability: Record<string, string> = {
  CAP_SYS_ADMIN: `bpf clone clone3 fanotify_init fsconfig fsmount fsopen fspick lookup_dcookie lsm_get_self_attr
    lsm_list_modules lsm_set_self_attr mount mount_setattr move_mount open_tree perf_event_open quotactl quotactl_fd
    setdomainname sethostname setns syslog umount umount2 unshare`,
  CAP_DAC_READ_SEARCH: 'open_by_handle_at',
  CAP_SYS_BOOT: 'reboot',
  CAP_SYS_CHROOT: 'chroot',
  CAP_SYS_MODULE: 'delete_module init_module finit_module',
  CAP_SYS_PACCT: 'acct',
  CAP_SYS_PTRACE: 'kcmp pidfd_getfd process_madvise process_vm_readv process_vm_writev ptrace',
  CAP_SYS_RAWIO: 'iopl ioperm',
  CAP_SYS_TIME: 'settimeofday stime clock_settime clock_settime64',
  CAP_SYS_TTY_CONFIG: 'vhangup',
  CAP_SYS_NICE: 'get_mempolicy mbind set_mempolicy set_mempolicy_home_node',
  CAP_SYSLOG: 'syslog',
  CAP_BPF: 'bpf',
  CAP_PERFMON: 'perf_event_open',
};

/** Calls that exist on some architectures only (Go architecture names). */
const byArchitecture: Array<[arches: string[], calls: string]> = [
  [['ppc64le'], 'sync_file_range2 swapcontext'],
  [['arm', 'arm64'], 'arm_fadvise64_64 arm_sync_file_range sync_file_range2 breakpoint cacheflush set_tls'],
  [['amd64', 'x32'], 'arch_prctl'],
  [['amd64', 'x32', 'x86'], 'modify_ldt'],
  [['s390', 's390x'], 's390_pci_mmio_read s390_pci_mmio_write s390_runtime_instr'],
  [['riscv64'], 'riscv_flush_icache'],
];

/** Address families a container may not open sockets of: AF_ALG (kernel crypto) and AF_VSOCK. */
const deniedSocketFamilies = [38, 40];

/** personality(2) personas allowed: PER_LINUX, UNAME26, ADDR_NO_RANDOMIZE (alone and with UNAME26), and the query 0xffffffff. */
const allowedPersonalities = [0x0, 0x8, 0x20000, 0x20008, 0xffffffff];

/** clone(2)'s flags that create namespaces (NEWNS NEWCGROUP NEWUTS NEWIPC NEWUSER NEWPID NEWNET). */
const cloneNamespaceFlags = 0x7e020000;

const ENOSYS = 38;

/** Arguments allowing every value of a 32-bit argument except `denied`. */
function allExcept(index: number, denied: number[]): SeccompArg[][] {
  const sorted = [...denied].sort((a, b) => a - b);
  const out: SeccompArg[][] = [[{ index, value: sorted[0], op: 'SCMP_CMP_LT' }]];
  for (let i = 0; i + 1 < sorted.length; i++) for (let v = sorted[i] + 1; v < sorted[i + 1]; v++) out.push([{ index, value: v, op: 'SCMP_CMP_EQ' }]);
  out.push([{ index, value: sorted[sorted.length - 1], op: 'SCMP_CMP_GT' }]);
  return out;
}

function rules(): DockerSeccompRule[] {
  const allow = (names: string[], extra: Partial<DockerSeccompRule> = {}): DockerSeccompRule => ({ names, action: 'SCMP_ACT_ALLOW', ...extra });
  const out: DockerSeccompRule[] = [allow(Object.values(unconditional).flatMap(words))];
  // Tracing other processes is safe from 4.8 on, where ptrace can no longer bypass seccomp.
  out.push(allow(words('process_vm_readv process_vm_writev ptrace'), { includes: { minKernel: '4.8' } }));
  for (const args of allExcept(0, deniedSocketFamilies)) out.push(allow(['socket'], { args }));
  for (const p of allowedPersonalities) out.push(allow(['personality'], { args: [{ index: 0, value: p, op: 'SCMP_CMP_EQ' }] }));
  for (const [arches, calls] of byArchitecture) out.push(allow(words(calls), { includes: { arches } }));
  for (const [cap, calls] of Object.entries(byCapability)) out.push(allow(words(calls), { includes: { caps: [cap] } }));
  // Without CAP_SYS_ADMIN: clone only without namespace flags (flags are argument 1 on s390),
  // and clone3, whose flags seccomp cannot see, fails with ENOSYS so libc falls back to clone.
  const noNamespaces = (index: number): SeccompArg[] => [{ index, value: cloneNamespaceFlags, op: 'SCMP_CMP_MASKED_EQ' }];
  out.push(allow(['clone'], { args: noNamespaces(0), excludes: { caps: ['CAP_SYS_ADMIN'], arches: ['s390', 's390x'] } }));
  out.push(allow(['clone'], { args: noNamespaces(1), includes: { arches: ['s390', 's390x'] }, excludes: { caps: ['CAP_SYS_ADMIN'] } }));
  out.push({ names: ['clone3'], action: 'SCMP_ACT_ERRNO', errnoRet: ENOSYS, excludes: { caps: ['CAP_SYS_ADMIN'] } });
  return out;
}

/** The architectures a profile applies to, by the host's main one (libseccomp names). */
const archMap: DockerSeccompProfile['archMap'] = [
  { architecture: 'SCMP_ARCH_X86_64', subArchitectures: ['SCMP_ARCH_X86', 'SCMP_ARCH_X32'] },
  { architecture: 'SCMP_ARCH_AARCH64', subArchitectures: ['SCMP_ARCH_ARM'] },
  { architecture: 'SCMP_ARCH_MIPS64', subArchitectures: ['SCMP_ARCH_MIPS', 'SCMP_ARCH_MIPS64N32'] },
  { architecture: 'SCMP_ARCH_MIPS64N32', subArchitectures: ['SCMP_ARCH_MIPS', 'SCMP_ARCH_MIPS64'] },
  { architecture: 'SCMP_ARCH_MIPSEL64', subArchitectures: ['SCMP_ARCH_MIPSEL', 'SCMP_ARCH_MIPSEL64N32'] },
  { architecture: 'SCMP_ARCH_MIPSEL64N32', subArchitectures: ['SCMP_ARCH_MIPSEL', 'SCMP_ARCH_MIPSEL64'] },
  { architecture: 'SCMP_ARCH_S390X', subArchitectures: ['SCMP_ARCH_S390'] },
  { architecture: 'SCMP_ARCH_RISCV64', subArchitectures: [] },
  { architecture: 'SCMP_ARCH_LOONGARCH64', subArchitectures: [] },
];

/** The default profile in Docker's format: anything unlisted fails with EPERM. */
export function defaultSeccompProfile(): DockerSeccompProfile {
  return { defaultAction: 'SCMP_ACT_ERRNO', defaultErrnoRet: 1, archMap, syscalls: rules() };
}
