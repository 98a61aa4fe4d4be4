import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TemplateError, asStruct, headerContext, parseTemplate, renderFormat, rowJson, templateText } from './index.ts';

const psHeaders = {
  ID: 'CONTAINER ID',
  Names: 'NAMES',
  Image: 'IMAGE',
  Command: 'COMMAND',
  CreatedAt: 'CREATED AT',
  RunningFor: 'CREATED',
  Ports: 'PORTS',
  State: 'STATE',
  Status: 'STATUS',
  Size: 'SIZE',
  Labels: 'LABELS',
  Mounts: 'MOUNTS',
  LocalVolumes: 'LOCAL VOLUMES',
  Networks: 'NETWORKS',
};

// docker's default: a Go string with real tabs, as in docker/cli's container formatter.
const defaultTable = 'table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}';
const options = { defaultTable, headers: psHeaders };

function row(id: string, image: string, names: string, status: string, ports = '') {
  const labels: Record<string, string> = { 'com.docker.compose.project': names === 'web' ? 'shop' : '' };
  return asStruct(
    {
      ID: id,
      Image: image,
      Command: '"bash"',
      CreatedAt: '2024-05-01 10:00:00 +0000 UTC',
      RunningFor: '2 hours ago',
      Ports: ports,
      State: 'running',
      Status: status,
      Size: '0B',
      Names: names,
      Labels: 'com.docker.compose.project=shop',
      Mounts: '',
      Networks: 'bridge',
      LocalVolumes: '0',
      Label(name: string) {
        return labels[name] ?? '';
      },
    },
    '*formatter.ContainerContext',
  );
}

const rows = [
  row('4c01db0b339c', 'nginx:latest', 'web', 'Up 2 hours', '0.0.0.0:8080->80/tcp'),
  row('d7886598dbe2', 'redis', 'cache', 'Exited (0) 5 minutes ago'),
];

function table(widths: number[], lines: string[][]): string {
  return lines.map((cells) => cells.map((c, i) => (i < widths.length ? c.padEnd(widths[i]) : c)).join('') + '\n').join('');
}

test('the default table', () => {
  const want = table(
    [15, 15, 10, 14, 27, 23],
    [
      ['CONTAINER ID', 'IMAGE', 'COMMAND', 'CREATED', 'STATUS', 'PORTS', 'NAMES'],
      ['4c01db0b339c', 'nginx:latest', '"bash"', '2 hours ago', 'Up 2 hours', '0.0.0.0:8080->80/tcp', 'web'],
      ['d7886598dbe2', 'redis', '"bash"', '2 hours ago', 'Exited (0) 5 minutes ago', '', 'cache'],
    ],
  );
  assert.equal(renderFormat(undefined, rows, options), want);
  assert.equal(renderFormat('', rows, options), want);
  assert.equal(renderFormat('table', rows, options), want);
});

test('a custom table: \\t in the format is a tab, headers come from the header map', () => {
  assert.equal(
    renderFormat('table {{.ID}}\\t{{.Names}}', rows, options),
    table([15], [['CONTAINER ID', 'NAMES'], ['4c01db0b339c', 'web'], ['d7886598dbe2', 'cache']]),
  );
  // No space after "table", and spaces around the format, do not matter.
  assert.equal(renderFormat('table{{.Names}}\\t{{.State}}  ', rows, options), table([10], [['NAMES', 'STATE'], ['web', 'running'], ['cache', 'running']]));
  // Without any tab nothing is aligned.
  assert.equal(renderFormat('table {{.Names}}: {{.Status}}', rows, options), 'NAMES: STATUS\nweb: Up 2 hours\ncache: Exited (0) 5 minutes ago\n');
  // The header of a table without rows.
  assert.equal(renderFormat('table {{.ID}}\\t{{.Image}}', [], options), 'CONTAINER ID   IMAGE\n');
});

test('table headers run with docker header functions and the Label method', () => {
  assert.equal(
    renderFormat('table {{upper .Names}}\\t{{json .ID}}\\t{{truncate .Image 2}}\\t{{lower .State}}', rows.slice(0, 1), options),
    table([10, 14 + 3, 10], [['NAMES', 'CONTAINER ID', 'IMAGE', 'STATE'], ['WEB', '"4c01db0b339c"', 'ng', 'running']]),
  );
  // pad is not replaced for headers: it pads the header too.
  assert.equal(renderFormat('table {{pad .Names 2 0}}|', rows.slice(0, 1), options), '  NAMES|\n  web|\n');
  assert.equal(
    renderFormat('table {{.Names}}\\t{{.Label "com.docker.compose.project"}}\\t{{.Label "com.example.some-label_x"}}', rows, options),
    table([10, 10], [['NAMES', 'project', 'some label x'], ['web', 'shop', ''], ['cache', '', '']]),
  );
});

test('a header for a field not in the header map', () => {
  // The header context is a map: a missing key renders "<no value>", as in docker.
  assert.equal(renderFormat('table {{.ID}}\\t{{.Platform}}', [], options), 'CONTAINER ID   <no value>\n');
  // A header template that fails is printed as far as it got; the rows still are.
  assert.equal(
    renderFormat('table {{.Names}}\\t{{json .}}\\t{{.State}}', rows.slice(1), options),
    'NAMES     \n' + 'cache     ' + rowJson(rows[1]) + '   running\n',
  );
});

test('json prints each row as an object with sorted keys', () => {
  const want =
    '{"Command":"\\"bash\\"","CreatedAt":"2024-05-01 10:00:00 +0000 UTC","ID":"4c01db0b339c","Image":"nginx:latest",' +
    '"Labels":"com.docker.compose.project=shop","LocalVolumes":"0","Mounts":"","Names":"web","Networks":"bridge",' +
    '"Ports":"0.0.0.0:8080->80/tcp","RunningFor":"2 hours ago","Size":"0B","State":"running","Status":"Up 2 hours"}';
  assert.equal(rowJson(rows[0]), want);
  assert.equal(renderFormat('json', rows.slice(0, 1), options), want + '\n');
  assert.equal(renderFormat('{{json .}}', rows.slice(0, 1), options), want + '\n');
  assert.equal(renderFormat('json', rows, options).split('\n').length, 3);
  assert.equal(renderFormat('json', [], options), '');
  assert.equal(renderFormat('{{json .Names}} {{json (.Label "x")}}', rows.slice(0, 1), options), '"web" ""\n');
});

test('any other format is executed once per row', () => {
  assert.equal(renderFormat('{{.ID}}', rows, options), '4c01db0b339c\nd7886598dbe2\n');
  assert.equal(renderFormat('{{.Names}}\\t{{.Status}}', rows, options), 'web\tUp 2 hours\ncache\tExited (0) 5 minutes ago\n');
  assert.equal(renderFormat('{{.Names}}\\n{{.Image}}', rows.slice(0, 1), options), 'web\nnginx:latest\n');
  assert.equal(renderFormat('  {{.Names}}  ', rows.slice(0, 1), options), 'web\n');
  assert.equal(renderFormat('{{.Label "com.docker.compose.project"}}', rows, options), 'shop\n\n');
  assert.equal(renderFormat('{{.ID}}', [], options), '');
});

test('errors: a bad template, a failing row', () => {
  assert.throws(() => renderFormat('{{foo}}', rows, options), (err: unknown) => err instanceof TemplateError && err.message === 'template: :1: function "foo" not defined');
  assert.throws(
    () => renderFormat('table {{.ID}}\\t{{.Nope}}', rows, options),
    (err: unknown) => err instanceof TemplateError && err.message === 'template: :1:10: executing "" at <.Nope>: can\'t evaluate field Nope in type *formatter.ContainerContext',
  );
});

test('wide characters are aligned by terminal width', () => {
  // 名前 takes four terminal columns: the column is max(10, 5 + 3) wide either way, but the
  // padding after 名前 is 10 - 4.
  const wide = [row('1', 'busybox', '名前', 'Up'), row('2', 'busybox', 'ab', 'Up')];
  assert.equal(renderFormat('table {{.Names}}\\t{{.ID}}', wide, options), 'NAMES     CONTAINER ID\n名前      1\nab        2\n');
});

test('the template text docker executes', () => {
  assert.equal(templateText('json'), '{{json .}}');
  assert.equal(templateText('table {{.ID}}\\t{{.Names}}'), '{{.ID}}\t{{.Names}}');
  assert.equal(templateText('tablefoo'), 'foo');
  assert.equal(templateText(' {{.ID}}\\n '), '{{.ID}}\n');
  assert.equal(templateText('\t{{.ID}} '), '\t{{.ID}}');
});

test('the header context is a map with a Label method', () => {
  const ctx = headerContext({ ID: 'CONTAINER ID' });
  assert.equal(parseTemplate('{{.ID}}|{{.Label "a.b-c_d"}}|{{.Nope}}|{{len .}}|{{printf "%T" .}}').execute(ctx), 'CONTAINER ID|b c d|<no value>|1|formatter.SubHeaderContext');
});
