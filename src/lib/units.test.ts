import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  bytesSize,
  formatGoDuration,
  formatRfc3339Nano,
  goQuote,
  goZeroTime,
  humanDuration,
  humanSize,
  parseGoDuration,
  parseRamInBytes,
  parseSize,
  parseTimestamp,
  parseUnixTimestamp,
} from './units.ts';
import { InvalidArgument } from '../errors/index.ts';

const second = 1000;
const minute = 60 * second;
const hour = 60 * minute;

describe('humanDuration (go-units HumanDuration)', () => {
  const cases: [number, string][] = [
    [-5 * second, 'Less than a second'],
    [0, 'Less than a second'],
    [450, 'Less than a second'],
    [999, 'Less than a second'],
    [1000, '1 second'],
    [1999, '1 second'],
    [2000, '2 seconds'],
    [59 * second + 999, '59 seconds'],
    [60 * second, 'About a minute'],
    [2 * minute - 1, 'About a minute'],
    [2 * minute, '2 minutes'],
    [60 * minute - 1, '59 minutes'],
    [60 * minute, 'About an hour'],
    [1.5 * hour - 1, 'About an hour'],
    [1.5 * hour, '2 hours'],
    [47.5 * hour - 1, '47 hours'],
    [47.5 * hour, '2 days'],
    [335 * hour, '13 days'],
    [336 * hour - 0.5 * hour, '2 weeks'],
    [1439 * hour, '8 weeks'],
    [1440 * hour, '2 months'],
    [17519 * hour, '24 months'],
    [17520 * hour, '2 years'],
    // The year count uses truncated hours while the branch uses rounded ones, as in go-units.
    [17519.6 * hour, '1 years'],
    [3 * 365 * 24 * hour, '3 years'],
  ];
  for (const [ms, want] of cases) {
    it(`${ms} ms → ${want}`, () => assert.equal(humanDuration(ms), want));
  }
});

describe('humanSize (HumanSizeWithPrecision)', () => {
  it('prints decimal units with three significant digits by default', () => {
    assert.equal(humanSize(0), '0B');
    assert.equal(humanSize(999), '999B');
    assert.equal(humanSize(1000), '1kB');
    assert.equal(humanSize(1024), '1.02kB');
    assert.equal(humanSize(1200), '1.2kB');
    assert.equal(humanSize(4_260_000), '4.26MB');
    assert.equal(humanSize(123_456_789_012), '123GB');
  });
  it("switches to Go's exponent form where %g does", () => {
    assert.equal(humanSize(999_999), '1e+03kB');
    assert.equal(humanSize(999_500), '1e+03kB');
    assert.equal(humanSize(10_000_000_000_000 * 1e15), '1e+04YB');
  });
  it('rounds exact halves to even, as Go does (JS would round up)', () => {
    assert.equal(humanSize(1125), '1.12kB');
    assert.equal(humanSize(1135), '1.14kB');
    assert.equal(humanSize(2_500_000, 2), '2.5MB');
    assert.equal(humanSize(2_500, 1), '2kB');
    assert.equal(humanSize(3_500, 1), '4kB');
  });
  it('takes another precision (HumanSize uses 4)', () => {
    assert.equal(humanSize(1024, 4), '1.024kB');
    assert.equal(humanSize(1_048_576, 4), '1.049MB');
    assert.equal(humanSize(3.42e9, 4), '3.42GB');
    assert.equal(humanSize(5.372e12, 4), '5.372TB');
    assert.equal(humanSize(2.22e15, 4), '2.22PB');
  });
});

describe('bytesSize (BytesSize)', () => {
  const cases: [number, string][] = [
    [0, '0B'],
    [1023, '1023B'],
    [1024, '1KiB'],
    [1536, '1.5KiB'],
    [1024 * 1024, '1MiB'],
    [2 * 1024 * 1024, '2MiB'],
    [3.42 * 2 ** 30, '3.42GiB'],
    [5.372 * 2 ** 40, '5.372TiB'],
    [2.22 * 2 ** 50, '2.22PiB'],
    [2 ** 50 * 2 ** 50, '1.049e+06YiB'],
  ];
  for (const [n, want] of cases) it(`${n} → ${want}`, () => assert.equal(bytesSize(n), want));
});

describe('parseSize (FromHumanSize) and parseRamInBytes (RAMInBytes)', () => {
  it('reads decimal sizes', () => {
    const cases: [string, number][] = [
      ['0', 0], ['0b', 0], ['0B', 0], ['0 B', 0], ['32', 32], ['32b', 32], ['32B', 32],
      ['32k', 32_000], ['32K', 32_000], ['32kb', 32_000], ['32Kb', 32_000], ['32Mb', 32e6], ['32Gb', 32e9],
      ['32Tb', 32e12], ['32Pb', 32e15], ['32.5kB', 32_500], ['32.5 kB', 32_500], ['32.5 B', 32], ['0.3 K', 300],
      ['.3kB', 300], ['0.', 0], ['0. ', 0], ['0.b', 0], ['-0', 0], ['-0 b', 0], ['32.', 32], ['32. B', 32], ['0 ', 0],
      ['1g', 1e9], ['1e3k', 1e6], ['1_000', 1000],
    ];
    for (const [s, want] of cases) assert.equal(parseSize(s), want, s);
  });
  it('reads binary sizes', () => {
    const cases: [string, number][] = [
      ['32', 32], ['32b', 32], ['32k', 32 * 1024], ['32Kib', 32 * 1024], ['32KIB', 32 * 1024], ['32Mb', 32 * 2 ** 20],
      ['32Gb', 32 * 2 ** 30], ['32Tb', 32 * 2 ** 40], ['32Pb', 32 * 2 ** 50], ['32PB', 32 * 2 ** 50], ['32P', 32 * 2 ** 50],
      ['32.3', 32], ['32.3 mb', Math.trunc(32.3 * 2 ** 20)], ['0.3MB', Math.trunc(0.3 * 2 ** 20)], ['512m', 512 * 2 ** 20],
      ['1.5g', 1.5 * 2 ** 30],
    ];
    for (const [s, want] of cases) assert.equal(parseRamInBytes(s), want, s);
  });
  it("refuses what go-units refuses, with go-units' and strconv's messages", () => {
    const cases: [string, string][] = [
      ['', "invalid size: ''"],
      ['hello', "invalid size: 'hello'"],
      ['-32', "invalid size: '-32'"],
      ['-32 B', "invalid size: '-32 B'"],
      [' 32 ', 'strconv.ParseFloat: parsing "": invalid syntax'],
      [' 0', 'strconv.ParseFloat: parsing "": invalid syntax'],
      ['.', 'strconv.ParseFloat: parsing ".": invalid syntax'],
      ['32m b', 'strconv.ParseFloat: parsing "32m": invalid syntax'],
      ['1.2.3m', 'strconv.ParseFloat: parsing "1.2.3": invalid syntax'],
      ['1e400', 'strconv.ParseFloat: parsing "1e400": value out of range'],
      ['32bm', "invalid suffix: 'bm'"],
      ['32b.', 'strconv.ParseFloat: parsing "32b.": invalid syntax'],
      ['32 bb', "invalid suffix: 'bb'"],
      ['32 b b', "invalid suffix: 'b b'"],
      ['32  b', "invalid suffix: ' b'"],
      ['0b ', 'strconv.ParseFloat: parsing "0b": invalid syntax'],
      ['32x', "invalid suffix: 'x'"],
      ['32mx', "invalid suffix: 'mx'"],
      ['32mbb', "invalid suffix: 'mbb'"],
      ['32KiBB', "invalid suffix: 'KiBB'"],
    ];
    for (const [s, message] of cases) {
      assert.throws(() => parseSize(s), (err: Error) => err instanceof InvalidArgument && err.message === message, s);
      assert.throws(() => parseRamInBytes(s), InvalidArgument, s);
    }
  });
});

describe('parseGoDuration (time.ParseDuration)', () => {
  it('reads every unit, fractions and signs', () => {
    const cases: [string, bigint][] = [
      ['0', 0n], ['-0', 0n], ['+0', 0n], ['0s', 0n], ['5s', 5_000_000_000n], ['+5s', 5_000_000_000n], ['-5s', -5_000_000_000n],
      ['1m30s', 90_000_000_000n], ['1h', 3_600_000_000_000n], ['1.5h', 5_400_000_000_000n], ['-1.5h', -5_400_000_000_000n],
      ['300ms', 300_000_000n], ['1us', 1000n], ['1µs', 1000n], ['1μs', 1000n], ['7ns', 7n], ['.5s', 500_000_000n],
      ['1.s', 1_000_000_000n], ['1h2m3.5s', 3_723_500_000_000n], ['1.0000000001s', 1_000_000_000n],
      ['0.1234567891s', 123_456_789n], ['9223372036854775807ns', 2n ** 63n - 1n], ['-9223372036854775808ns', -(2n ** 63n)],
      ['2562047h47m16.854775807s', 2n ** 63n - 1n], ['1h1h', 7_200_000_000_000n],
    ];
    for (const [s, want] of cases) assert.equal(parseGoDuration(s), want, s);
  });
  it("refuses with Go's messages", () => {
    const cases: [string, string][] = [
      ['', 'time: invalid duration ""'],
      ['-', 'time: invalid duration "-"'],
      ['s', 'time: invalid duration "s"'],
      ['.s', 'time: invalid duration ".s"'],
      ['1', 'time: missing unit in duration "1"'],
      ['10', 'time: missing unit in duration "10"'],
      ['1.5.5s', 'time: missing unit in duration "1.5.5s"'],
      ['1x', 'time: unknown unit "x" in duration "1x"'],
      ['1sec', 'time: unknown unit "sec" in duration "1sec"'],
      ['1µ', 'time: unknown unit "\\xc2\\xb5" in duration "1\\xc2\\xb5"'],
      ['3000000h', 'time: invalid duration "3000000h"'],
      ['9223372036854775808ns', 'time: invalid duration "9223372036854775808ns"'],
      ['2562047h47m16.854775808s', 'time: invalid duration "2562047h47m16.854775808s"'],
      ['1s 2s', 'time: unknown unit "s " in duration "1s 2s"'],
    ];
    for (const [s, message] of cases) assert.throws(() => parseGoDuration(s), { name: 'InvalidArgument', message }, s);
  });
});

describe('formatGoDuration (Duration.String)', () => {
  it('prints like Go', () => {
    const cases: [bigint | number, string][] = [
      [0n, '0s'], [1n, '1ns'], [999n, '999ns'], [1000n, '1µs'], [1100n, '1.1µs'], [2_200_000n, '2.2ms'],
      [1_500_000_000n, '1.5s'], [90_000_000_000n, '1m30s'], [3_600_000_000_000n, '1h0m0s'],
      [3_661_000_000_001n, '1h1m1.000000001s'], [-90_000_000_000n, '-1m30s'], [-1n, '-1ns'],
      [2n ** 63n - 1n, '2562047h47m16.854775807s'], [-(2n ** 63n), '-2562047h47m16.854775808s'], [1_500_000_000, '1.5s'],
    ];
    for (const [ns, want] of cases) assert.equal(formatGoDuration(ns), want, String(ns));
  });
  it('round-trips with parseGoDuration', () => {
    for (const s of ['1h0m0s', '1m30s', '1.5s', '300ms', '1.1µs', '7ns', '-2h3m4.005s']) assert.equal(formatGoDuration(parseGoDuration(s)), s);
  });
});

describe('parseTimestamp (docker timetypes.GetTimestamp)', () => {
  // Expected values are what the docker 28 CLI sends for `logs --since`, with TZ=UTC and TZ=America/New_York (EST).
  const ny = { utcOffsetSeconds: -5 * 3600 };
  const utc = { utcOffsetSeconds: 0 };
  const now = new Date('2026-11-23T08:48:18.750Z');
  const nowSeconds = BigInt(Date.parse('2026-11-23T08:48:18Z') / 1000);
  const ns = (s: string) => {
    const [sec, frac = ''] = s.split('.');
    return BigInt(sec) * 1_000_000_000n + BigInt(frac.padEnd(9, '0') || '0');
  };

  it('counts a Go duration back from now, in whole seconds', () => {
    assert.equal(parseTimestamp('10m', now), (nowSeconds - 600n) * 1_000_000_000n);
    assert.equal(parseTimestamp('1h30m', now), (nowSeconds - 5400n) * 1_000_000_000n);
    assert.equal(parseTimestamp('-10m', now), (nowSeconds + 600n) * 1_000_000_000n);
    assert.equal(parseTimestamp('1.5s', now), (nowSeconds - 1n) * 1_000_000_000n);
    // "0" is a unix time, but "-0", "+0" and "0s" are durations: now.
    assert.equal(parseTimestamp('0', now), 0n);
    for (const zero of ['-0', '+0', '0s']) assert.equal(parseTimestamp(zero, now), nowSeconds * 1_000_000_000n);
  });

  it('reads unix times with an optional fraction as dockerd does', () => {
    const cases: [string, string][] = [
      ['1700000000', '1700000000'],
      ['1700000000.123', '1700000000.123'],
      ['1700000000.1234567891', '1700000000.123456789'],
      ['0.5', '0.5'],
      ['+5', '5'],
      ['1.+5', '1.05'],
      ['1.0000000001', '1'],
    ];
    for (const [v, want] of cases) assert.equal(parseTimestamp(v, now, ny), ns(want), v);
  });

  it('reads RFC 3339 times, dates and partial times', () => {
    const cases: [string, string, string][] = [
      // value, in UTC, in New York
      ['2024-01-01', '1704067200', '1704085200'],
      ['2024-02-29', '1709164800', '1709182800'],
      ['2024-01-01T10', '1704103200', '1704121200'],
      ['2024-01-01T10:00', '1704103200', '1704121200'],
      ['2024-01-01T10:00:00', '1704103200', '1704121200'],
      ['2024-01-01T10:00:00.123', '1704103200.123', '1704121200.123'],
      ['2024-01-01T10:00:00.1234567891', '1704103200.123456789', '1704121200.123456789'],
      ['2024-01-01T10:00:00,5', '1704103200.5', '1704121200.5'],
      ['2024-01-01T10:00:00Z', '1704103200', '1704103200'],
      ['2024-01-01T10:00:00.5Z', '1704103200.5', '1704103200.5'],
      ['2024-01-01T10:00:00.123456789Z', '1704103200.123456789', '1704103200.123456789'],
      ['2024-01-01T10:00:00,5Z', '1704103200.5', '1704103200.5'],
      ['2024-01-01T10:00:00+01:00', '1704099600', '1704099600'],
      ['2024-01-01T10:00:00.5+01:00', '1704099600.5', '1704099600.5'],
      ['2024-01-01T10:00:00-05:30', '1704123000', '1704123000'],
      ['2024-01-01T10:00+01:00', '1704099600', '1704099600'],
      ['2024-01-01T10+01:00', '1704099600', '1704099600'],
      ['2024-01-01T10Z', '1704103200', '1704103200'],
      ['2024-01-01Z', '1704067200', '1704067200'],
      ['2024-01-01+02:00', '1704060000', '1704060000'],
      ['2024-01-01-05:00', '1704085200', '1704085200'],
    ];
    for (const [v, inUtc, inNewYork] of cases) {
      assert.equal(parseTimestamp(v, now, utc), ns(inUtc), `${v} in UTC`);
      assert.equal(parseTimestamp(v, now, ny), ns(inNewYork), `${v} in New York`);
    }
  });

  it("uses the offset at `now` for a zoneless time, even across daylight saving (Go's FixedZone)", () => {
    // New York is on EST (-05:00) in November; docker applies -05:00 to a July date too.
    assert.equal(parseTimestamp('2024-07-01', now, ny), ns('1719810000'));
    assert.equal(parseTimestamp('2024-07-01T10:00:00.5', now, ny), ns('1719846000.5'));
    assert.equal(parseTimestamp('0001-01-01', now, ny), ns('-62135578800'));
  });

  it('takes the offset from `now` by default', () => {
    const offset = -now.getTimezoneOffset() * 60;
    assert.equal(parseTimestamp('2024-01-01T10:00:00', now), ns('1704103200') - BigInt(offset) * 1_000_000_000n);
  });

  it("refuses with docker's and Go's messages", () => {
    const cases: [string, string][] = [
      ['foo', 'failed to parse value as time or duration: "foo"'],
      ['12abc', 'failed to parse value as time or duration: "12abc"'],
      ['1.2.3', 'failed to parse value as time or duration: "1.2.3"'],
      ['1700000000.', 'failed to parse value as time or duration: "1700000000."'],
      ['.5', 'failed to parse value as time or duration: ".5"'],
      ['2024/01/01', 'failed to parse value as time or duration: "2024/01/01"'],
      ['T', 'failed to parse value as time or duration: "T"'],
      ['Z', 'failed to parse value as time or duration: "Z"'],
      ['1e9', 'failed to parse value as time or duration: "1e9"'],
      ['-5', 'parsing time "-5" as "2006-01-02": cannot parse "-5" as "2006"'],
      ['x-y', 'parsing time "x-y" as "2006-01-02": cannot parse "x-y" as "2006"'],
      ['1.-5', 'parsing time "1.-5" as "2006-01-02T15:04:05.999999999": cannot parse "1.-5" as "2006"'],
      ['24-01-01', 'parsing time "24-01-01" as "2006-01-02": cannot parse "24-01-01" as "2006"'],
      ['2024-13-01', 'parsing time "2024-13-01": month out of range'],
      ['2024-00-01', 'parsing time "2024-00-01": month out of range'],
      ['2024-02-30', 'parsing time "2024-02-30": day out of range'],
      ['2023-02-29', 'parsing time "2023-02-29": day out of range'],
      ['2024-01-01T25:00:00', 'parsing time "2024-01-01T25:00:00": hour out of range'],
      ['2024-01-01T10:60:00', 'parsing time "2024-01-01T10:60:00": minute out of range'],
      ['2024-01-01T10:00:60Z', 'parsing time "2024-01-01T10:00:60Z": second out of range'],
      ['2024-01-01T10:00:61Z', 'parsing time "2024-01-01T10:00:61Z": second out of range'],
      ['2024-01-01T10:00:00z', 'parsing time "2024-01-01T10:00:00z" as "2006-01-02T15:04:05Z07:00": cannot parse "z" as "Z07:00"'],
      ['2024-1-1', 'parsing time "2024-1-1" as "2006-01-02": cannot parse "1-1" as "01"'],
      ['2024-01-1', 'parsing time "2024-01-1" as "2006-01-02": cannot parse "1" as "02"'],
      ['2024-01-01T1:2:3', 'parsing time "2024-01-01T1:2:3" as "2006-01-02T15:04:05": cannot parse "2:3" as "04"'],
      ['2024-01-01T10:00:00.', 'parsing time "2024-01-01T10:00:00.": extra text: "."'],
      ['2024-01-01 10:00:00', 'parsing time "2024-01-01 10:00:00": extra text: " 10:00:00"'],
      ['2024-01-01T10:00:00+0100', 'parsing time "2024-01-01T10:00:00+0100" as "2006-01-02T15:04Z07:00": cannot parse ":00+0100" as "Z07:00"'],
      ['2024-01-01T10:00:00Zjunk', 'parsing time "2024-01-01T10:00:00Zjunk": extra text: "junk"'],
      ['2024-01-01T10:00:00junk', 'parsing time "2024-01-01T10:00:00junk": extra text: "junk"'],
      ['2024-01-01junk', 'parsing time "2024-01-01junk": extra text: "junk"'],
      ['2024-01-01T10:00:00Z07:00', 'parsing time "2024-01-01T10:00:00Z07:00": extra text: "07:00"'],
      ['2024-01-01T10:00:00.Z', 'parsing time "2024-01-01T10:00:00.Z" as "2006-01-02T15:04:05.999999999Z07:00": cannot parse ".Z" as "Z07:00"'],
      ['2024-01-01T10:00:00+25:00', 'parsing time "2024-01-01T10:00:00+25:00": time zone offset hour out of range'],
      ['2024-01-01T10:00:00+01:61', 'parsing time "2024-01-01T10:00:00+01:61": time zone offset minute out of range'],
      ['2024-01-01T10:00:00+1:00', 'parsing time "2024-01-01T10:00:00+1:00" as "2006-01-02T15:04:05Z07:00": cannot parse "+1:00" as "Z07:00"'],
      ['2024-01/01', 'parsing time "2024-01/01" as "2006-01-02": cannot parse "/01" as "-"'],
    ];
    for (const [v, message] of cases) assert.throws(() => parseTimestamp(v, now, ny), { name: 'InvalidArgument', message }, v);
  });
});

describe('parseUnixTimestamp (docker timetypes.ParseTimestamps)', () => {
  it('reads seconds and a fraction scaled to nanoseconds', () => {
    assert.equal(parseUnixTimestamp('1700000000'), 1_700_000_000_000_000_000n);
    assert.equal(parseUnixTimestamp('1700000000.000000001'), 1_700_000_000_000_000_001n);
    assert.equal(parseUnixTimestamp('1700000000.5'), 1_700_000_000_500_000_000n);
    assert.equal(parseUnixTimestamp('1.1234567891'), 1_123_456_789n);
    assert.equal(parseUnixTimestamp('-1'), -1_000_000_000n);
  });
  it("refuses with strconv's messages", () => {
    assert.throws(() => parseUnixTimestamp('x'), { message: 'strconv.ParseInt: parsing "x": invalid syntax' });
    assert.throws(() => parseUnixTimestamp('1.'), { message: 'strconv.ParseInt: parsing "": invalid syntax' });
    assert.throws(() => parseUnixTimestamp('1.x'), { message: 'strconv.ParseInt: parsing "x": invalid syntax' });
    assert.throws(() => parseUnixTimestamp('99999999999999999999'), { message: 'strconv.ParseInt: parsing "99999999999999999999": value out of range' });
  });
});

describe('formatRfc3339Nano', () => {
  it('prints UTC with the fraction trimmed', () => {
    assert.equal(formatRfc3339Nano(new Date('2024-01-01T10:00:00Z')), '2024-01-01T10:00:00Z');
    assert.equal(formatRfc3339Nano(new Date('2024-01-01T10:00:00.120Z')), '2024-01-01T10:00:00.12Z');
    assert.equal(formatRfc3339Nano(new Date('2024-01-01T10:00:00.120Z'), 123_456_789), '2024-01-01T10:00:00.123456789Z');
    assert.equal(formatRfc3339Nano(new Date('2024-01-01T10:00:00Z'), 1), '2024-01-01T10:00:00.000000001Z');
    assert.equal(formatRfc3339Nano(1_704_103_200_100_000_000n), '2024-01-01T10:00:00.1Z');
    assert.equal(formatRfc3339Nano(-1n), '1969-12-31T23:59:59.999999999Z');
    assert.equal(formatRfc3339Nano(new Date('2024-02-29T23:59:59.999Z')), '2024-02-29T23:59:59.999Z');
  });
  it("prints Go's zero time", () => {
    assert.equal(goZeroTime, '0001-01-01T00:00:00Z');
    assert.equal(formatRfc3339Nano(-62_135_596_800_000_000_000n), goZeroTime);
    const d = new Date(0);
    d.setUTCFullYear(1, 0, 1);
    assert.equal(formatRfc3339Nano(d), goZeroTime);
  });
  it('pads years to four digits and refuses nonsense', () => {
    assert.equal(formatRfc3339Nano(new Date('+012345-06-07T00:00:00Z')), '12345-06-07T00:00:00Z');
    assert.throws(() => formatRfc3339Nano(new Date('nope')), InvalidArgument);
    assert.throws(() => formatRfc3339Nano(new Date(0), 1e9), InvalidArgument);
  });
});

describe('goQuote (strconv.Quote)', () => {
  it('escapes as Go does', () => {
    assert.equal(goQuote('abc'), '"abc"');
    assert.equal(goQuote('a"b\\c'), '"a\\"b\\\\c"');
    assert.equal(goQuote('\n\t\r\x07\b\f\v'), '"\\n\\t\\r\\a\\b\\f\\v"');
    assert.equal(goQuote('\x00\x7f'), '"\\x00\\x7f"');
    assert.equal(goQuote('héllo µ ☃ 😀'), '"héllo µ ☃ 😀"');
    assert.equal(goQuote('\u00a0\u200b'), '"\\u00a0\\u200b"');
  });
});
