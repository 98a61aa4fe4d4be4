import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TemplateError, headerContext, parseTemplate, renderFormat, rowJson, templateText } from './index.ts';
// The tables and rows are `ps`'s own, so these tests pin docker's rendering of what berth really
// prints, not of a copy that could drift from it.
import { containerRow, psDefaultTable, psHeaders } from '../cli/commands/container/ps.ts';
import { goTimeString } from '../cli/util.ts';
import type { ContainerSummary, EndpointSettings } from '../types/index.ts';

const options = { defaultTable: psDefaultTable, headers: psHeaders };

const now = Date.UTC(2024, 4, 1, 12, 0, 0);
const created = now / 1000 - 2 * 3600;

function row(id: string, image: string, name: string, status: string, ports: ContainerSummary['Ports'] = [], labels: Record<string, string> = {}) {
  const summary: ContainerSummary = {
    Id: id.padEnd(64, '0'),
    Names: [`/${name}`],
    Image: image,
    ImageID: `sha256:${'f'.repeat(64)}`,
    Command: 'bash',
    Created: created,
    Ports: ports,
    Labels: labels,
    State: 'running',
    Status: status,
    HostConfig: { NetworkMode: 'default' },
    // a row shows only the networks' names
    NetworkSettings: { Networks: { bridge: {} as EndpointSettings } },
    Mounts: [],
  };
  return containerRow(summary, true, now);
}

const rows = [
  row('4c01db0b339c', 'nginx:latest', 'web', 'Up 2 hours', [{ IP: '0.0.0.0', PrivatePort: 80, PublicPort: 8080, Type: 'tcp' }], { 'com.docker.compose.project': 'shop' }),
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
  // The header context is a map: a missing key renders "<no value>", as in docker (the rows,
  // structs, would refuse the field; there are none here).
  assert.equal(renderFormat('table {{.ID}}\\t{{.Nope}}', [], options), 'CONTAINER ID   <no value>\n');
  // A header template that fails is printed as far as it got; the rows still are.
  assert.equal(
    renderFormat('table {{.Names}}\\t{{json .}}\\t{{.State}}', rows.slice(1), options),
    'NAMES     \n' + 'cache     ' + rowJson(rows[1]) + '   running\n',
  );
});

test('json prints each row as an object with sorted keys', () => {
  const want =
    `{"Command":"\\"bash\\"","CreatedAt":"${goTimeString(created)}","ID":"4c01db0b339c","Image":"nginx:latest",` +
    '"Labels":"com.docker.compose.project=shop","LocalVolumes":"0","Mounts":"","Names":"web","Networks":"bridge","Platform":"",' +
    '"Ports":"0.0.0.0:8080->80/tcp","RunningFor":"2 hours ago","Size":"","State":"running","Status":"Up 2 hours"}';
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
  assert.equal(renderFormat('table {{.Names}}\\t{{.ID}}', wide, options), 'NAMES     CONTAINER ID\n名前      100000000000\nab        200000000000\n');
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
