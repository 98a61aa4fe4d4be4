// Dockerfiles the equivalence test builds on a reference dockerd 20.10 and on berthd: together
// they use every instruction of the classic builder and its corner cases. A case may name a
// difference where dockerd is the one that is wrong (`dockerdBug`), which the test then reports
// instead of failing.

export type CaseFile = string | { data: string | Buffer; mode?: number } | { symlink: string } | { hardlink: string } | { dir: true; mode?: number };

export interface BuildCase {
  name: string;
  dockerfile: string;
  files?: Record<string, CaseFile>;
  /** Shell commands run in the context directory before the build (to make archives). */
  setup?: string;
  args?: string[];
  target?: string;
  /** A case built first, with this tag, on both daemons (a base for ONBUILD). */
  parent?: { tag: string; dockerfile: string; files?: Record<string, CaseFile> };
  /** Fields (or "file /path") where dockerd 20.10 is wrong, and why: reported instead of failing. */
  dockerdBug?: Record<string, string>;
}

export const cases: BuildCase[] = [
  {
    name: 'RUN and CMD',
    dockerfile: 'FROM busybox\nRUN echo hi > /hi && mkdir -p /a/b && ln -s /hi /a/b/link && chmod 4755 /hi\nCMD ["cat", "/hi"]\n',
  },
  {
    name: 'ENV in both syntaxes, with expansion',
    dockerfile: 'FROM busybox\nENV A=1 B="two words" C=${A}x\nENV D 4 and more\nENV PATH=/opt/bin:$PATH\nRUN echo "$A|$B|$C|$D" > /env.txt\n',
  },
  {
    name: 'LABEL and MAINTAINER',
    dockerfile: 'FROM busybox\nMAINTAINER Jane Doe <jane@example.com>\nARG V=3\nLABEL a=b "c d"="e f" version=$V\nLABEL multi.one=1 \\\n      multi.two=2\n',
  },
  {
    name: 'EXPOSE ports, protocols and ranges',
    dockerfile: 'FROM busybox\nEXPOSE 80 443/tcp 53/udp\nEXPOSE 8000-8002 9000/sctp\n',
  },
  {
    name: 'VOLUME, and RUN changes under a volume are thrown away',
    dockerfile: 'FROM busybox\nRUN mkdir /data && echo before > /data/kept\nVOLUME /data\nVOLUME ["/a", "/b"]\nRUN echo after > /data/lost && echo x > /a/lost-too\n',
  },
  {
    name: 'USER and WORKDIR with a user made in the image',
    dockerfile: 'FROM busybox\nRUN echo "app:x:1234:1234::/home/app:/bin/sh" >> /etc/passwd && echo "app:x:1234:" >> /etc/group\nUSER app\nWORKDIR /home/app/w\nRUN id > /tmp/ids && pwd > /tmp/pwd\nUSER 1234:100\nRUN id > /tmp/ids2\n',
  },
  {
    name: 'WORKDIR relative, repeated and with variables',
    dockerfile: 'FROM busybox\nENV BASE=/srv\nWORKDIR $BASE\nWORKDIR a\nWORKDIR b\nRUN pwd > /pwd1\nWORKDIR /c\nWORKDIR ../d\nRUN pwd > /pwd2\n',
  },
  {
    name: 'ARG before FROM, in a stage, defaults and --build-arg',
    dockerfile: 'ARG BASE=busybox\nARG V=meta\nFROM ${BASE}\nARG V\nARG W=default\nARG UNSET\nRUN echo "$V|$W|$UNSET" > /args\nENV E=$W\n',
    args: ['W=given', 'UNUSED=1'],
  },
  {
    name: 'predefined proxy args stay out of the history',
    dockerfile: 'FROM busybox\nARG A=1\nRUN echo $A $HTTP_PROXY > /p\n',
    args: ['HTTP_PROXY=http://proxy.invalid:3128'],
  },
  {
    name: 'multi-stage: COPY --from a name, an index and an image',
    dockerfile:
      'FROM busybox AS one\nRUN mkdir -p /out/sub && echo 1 > /out/sub/one && chown -R 1000:1000 /out && chmod 700 /out/sub\nFROM busybox\nRUN echo 2 > /two\nFROM busybox\nCOPY --from=one /out /from-name\nCOPY --from=1 /two /from-index\nCOPY --from=busybox /bin/busybox /bb\nCOPY --from=one /out/sub/one /single\n',
  },
  {
    name: 'COPY: files, directories, trailing slashes, existing directories',
    files: { 'f.txt': 'file\n', 'd/x': 'x\n', 'd/sub/y': { data: 'y\n', mode: 0o600 }, 'd/sub': { dir: true, mode: 0o700 }, 'e/z': 'z\n' },
    dockerfile: 'FROM busybox\nCOPY f.txt /new-file\nCOPY f.txt /newdir/\nCOPY f.txt /tmp\nCOPY d /dcopy\nCOPY d /tmp/\nCOPY d e /both/\nCOPY f.txt d/x /multi/\nCOPY . /all/\n',
  },
  {
    name: 'COPY wildcards and symlinks',
    files: { 'a1.txt': 'a1', 'a2.txt': 'a2', 'b.log': 'b', 'dir/c.txt': 'c', 'link-to-file': { symlink: 'a1.txt' }, 'dir/inner-link': { symlink: 'c.txt' }, 'link-to-dir': { symlink: 'dir' } },
    dockerfile: 'FROM busybox\nCOPY a*.txt /w/\nCOPY [ab]*.* /w2/\nCOPY ?1.txt /w3/\nCOPY link-to-file /followed\nCOPY link-to-dir /dir-followed\nCOPY dir /kept-links\n',
  },
  {
    name: 'COPY --chown by name and by number',
    files: { 'f.txt': 'f', 'd/g': 'g' },
    dockerfile: 'FROM busybox\nRUN echo "usr:x:1500:2000::/home/usr:/bin/sh" >> /etc/passwd && printf "grp:x:2000:\\nusr2:x:1500:\\n" >> /etc/group\nCOPY --chown=usr:grp f.txt /by-name\nCOPY --chown=1500 d /by-uid\nCOPY --chown=33:44 f.txt d/ /numeric/\nCOPY --chown=usr:2000 f.txt /mixed\n',
  },
  {
    name: 'ADD unpacks local archives: tar, gzip, bzip2, xz',
    files: { 'src/a': 'A', 'src/sub/b': { data: 'B', mode: 0o640 } },
    setup: 'tar --owner=7 --group=8 -cf plain.tar src && tar --owner=7 --group=8 -czf gz.tgz src && tar -cjf bz.tar.bz2 src && tar -cJf xz.tar.xz src && gzip -c src/a > not-tar.gz',
    dockerfile: 'FROM busybox\nADD plain.tar /plain\nADD gz.tgz /gz/\nADD bz.tar.bz2 /bz\nADD xz.tar.xz /xz\nADD not-tar.gz /raw/\nADD src /added-dir\n',
  },
  {
    name: 'ADD a URL: name, mode 0600 and Last-Modified time',
    dockerfile: 'FROM busybox\nADD {{URL}}/files/remote.txt /remote/\nADD {{URL}}/files/remote.txt /renamed.txt\n',
  },
  {
    name: 'ENTRYPOINT and CMD: forms and the reset of an inherited CMD',
    dockerfile: 'FROM busybox\nCMD echo base\nENTRYPOINT ["/bin/echo", "e"]\nFROM busybox\nENTRYPOINT /bin/echo shell-form\nCMD ["arg"]\n',
  },
  {
    name: 'CMD after ENTRYPOINT keeps both; ENTRYPOINT [] clears',
    dockerfile: 'FROM busybox\nENTRYPOINT ["/bin/sh", "-c"]\nCMD ["echo hi"]\nFROM busybox\nENTRYPOINT ["x"]\nENTRYPOINT []\n',
  },
  {
    name: 'HEALTHCHECK with every option',
    dockerfile: 'FROM busybox\nHEALTHCHECK --interval=5s --timeout=3s --start-period=2s --retries=4 CMD wget -q -O- http://localhost/ || exit 1\n',
  },
  {
    name: 'HEALTHCHECK NONE',
    dockerfile: 'FROM busybox\nHEALTHCHECK CMD ["true"]\nHEALTHCHECK NONE\n',
  },
  {
    name: 'HEALTHCHECK replaced by one without options',
    dockerfile: 'FROM busybox\nHEALTHCHECK --interval=7s --retries=2 CMD true\nHEALTHCHECK CMD false\n',
    dockerdBug: {
      Healthcheck:
        "dockerd 20.10's classic builder parses HEALTHCHECK flags into one shared struct, so the second HEALTHCHECK inherits --interval=7s --retries=2 it never set; BuildKit and Berth give it the defaults",
    },
  },
  {
    name: 'STOPSIGNAL',
    dockerfile: 'FROM busybox\nARG SIG=SIGUSR1\nSTOPSIGNAL $SIG\nFROM busybox\nSTOPSIGNAL 9\n',
  },
  {
    name: 'SHELL changes RUN and the shell forms',
    dockerfile: 'FROM busybox\nSHELL ["/bin/sh", "-ec"]\nRUN echo $0 $- > /shell\nCMD echo shell-cmd\nSHELL ["/bin/sh", "-c"]\nENTRYPOINT echo back\n',
  },
  {
    name: 'ONBUILD triggers run in the child build',
    parent: { tag: 'berth-eq-onbuild-parent:1', dockerfile: 'FROM busybox\nONBUILD COPY trig.txt /trig.txt\nONBUILD RUN echo ran > /ran\nONBUILD ENV FROM_TRIGGER=1\nRUN echo parent > /parent\n' },
    files: { 'trig.txt': 'from the child context\n' },
    dockerfile: 'FROM berth-eq-onbuild-parent:1\nRUN cat /trig.txt /ran > /seen\nONBUILD RUN echo grandchild\n',
  },
  {
    name: '.dockerignore: the Dockerfile and .dockerignore leave the context',
    files: { '.dockerignore': 'Dockerfile\n.dockerignore\n*.tmp\nsecret/\n!secret/keep\n', 'a.txt': 'a', 'b.tmp': 'b', 'secret/x': 'x', 'secret/keep': 'k' },
    dockerfile: 'FROM busybox\nCOPY . /ctx/\n',
  },
  {
    name: 'deleting files of lower layers (whiteouts)',
    dockerfile: 'FROM busybox\nRUN rm -rf /etc/group /home && mkdir -p /opq && echo 1 > /opq/a\nRUN rm -rf /opq && mkdir /opq && echo 2 > /opq/b\n',
  },
  {
    name: 'a RUN that changes nothing, and metadata-only steps',
    dockerfile: 'FROM busybox\nRUN true\nENV X=1\nLABEL l=1\nRUN echo x > /x\nRUN ["true"]\n',
  },
  {
    name: 'RUN exec form, variables in COPY destinations',
    files: { 'f.txt': 'f' },
    dockerfile: 'FROM busybox\nENV DEST=/dest SUB=s\nCOPY f.txt $DEST/${SUB}/\nRUN ["sh", "-c", "echo $HOME $DEST > /exec-form"]\n',
  },
  {
    name: 'escape directive and line continuations',
    dockerfile: '# escape=`\nFROM busybox\nRUN echo one `\n    two > /cont\nCOPY f.txt /c:\\f.txt\n',
    files: { 'f.txt': 'f' },
  },
  {
    name: 'hard links, modes and a setuid file in the context',
    files: { 'h1': { data: 'linked', mode: 0o4755 }, 'h2': { hardlink: 'h1' }, 'ro': { data: 'r', mode: 0o444 }, 'private': { dir: true, mode: 0o700 }, 'private/p': { data: 'p', mode: 0o600 } },
    dockerfile: 'FROM busybox\nCOPY . /hl/\n',
    dockerdBug: {
      'file /hl/h1': "dockerd 20.10 chowns what COPY wrote after setting its mode, and Linux clears setuid on chown: the context's 4755 file arrives as 0755; BuildKit and Berth keep the mode the context has",
      'file /hl/h2': 'the same file through its hard link',
    },
  },
  {
    name: '--target builds a stage in the middle',
    dockerfile: 'FROM busybox AS a\nRUN echo a > /a\nFROM a AS b\nRUN echo b > /b\nLABEL stage=b\nFROM busybox\nRUN echo c > /c\n',
    target: 'b',
  },
  {
    name: 'FROM scratch with COPY, and an empty image',
    files: { 'hello': 'hello\n' },
    dockerfile: 'FROM scratch\nCOPY hello /hello\nCMD ["/hello"]\n',
  },
];
