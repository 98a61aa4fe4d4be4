// docker-style generated container names, "adjective_surname", the surnames of notable scientists
// and engineers. Like docker: never "boring_wozniak" (Steve Wozniak is not boring), and after a
// name clash the caller retries with a count, which appends a random digit.
import { randomInt } from 'node:crypto';

export const nameAdjectives: readonly string[] = [
  'able', 'adaptable', 'agile', 'alert', 'amiable', 'amused', 'ardent', 'artful', 'astute', 'attentive',
  'audacious', 'balanced', 'blithe', 'boring', 'bouncy', 'bright', 'brisk', 'buoyant', 'calm', 'candid',
  'careful', 'cheerful', 'chipper', 'civil', 'clever', 'composed', 'courteous', 'crafty', 'curious', 'dapper',
  'daring', 'deft', 'devoted', 'diligent', 'discreet', 'dynamic', 'earnest', 'easygoing', 'eclectic', 'efficient',
  'energetic', 'exuberant', 'fearless', 'fluent', 'fond', 'frank', 'genial', 'gentle', 'gleeful', 'glowing',
  'graceful', 'grounded', 'hearty', 'helpful', 'honest', 'humble', 'idealistic', 'imaginative', 'ingenious', 'inventive',
  'jaunty', 'jubilant', 'keen', 'kindly', 'lively', 'logical', 'loyal', 'lucky', 'mellow', 'merry',
  'meticulous', 'mindful', 'nimble', 'noble', 'observant', 'orderly', 'patient', 'perceptive', 'persistent', 'placid',
  'playful', 'plucky', 'polite', 'precise', 'prudent', 'punctual', 'quiet', 'radiant', 'rational', 'resolute',
  'resourceful', 'sagacious', 'sensible', 'sincere', 'spirited', 'splendid', 'spry', 'steady', 'stellar', 'sturdy',
  'sunny', 'tactful', 'tenacious', 'thoughtful', 'tidy', 'tireless', 'tranquil', 'upbeat', 'valiant', 'versatile',
  'vivid', 'warm', 'whimsical', 'witty', 'zesty',
];

export const nameSurnames: readonly string[] = [
  // computing
  'aho', 'aiken', 'allen', 'amdahl', 'atanasoff', 'babbage', 'backus', 'baran', 'bartik', 'bernerslee',
  'borg', 'brooks', 'cerf', 'church', 'conway', 'cray', 'dahl', 'davies', 'diffie', 'dijkstra',
  'eckert', 'engelbart', 'estrin', 'feistel', 'floyd', 'goldberg', 'goldwasser', 'gosling', 'haibt', 'hamilton',
  'hamming', 'hellman', 'hoare', 'holberton', 'hollerith', 'hopcroft', 'hopper', 'huffman', 'ingalls', 'jacquard',
  'joy', 'kahn', 'karp', 'kay', 'keller', 'kernighan', 'kilburn', 'knuth', 'lamport', 'licklider',
  'liskov', 'lovelace', 'mauchly', 'mccarthy', 'mcilroy', 'merkle', 'metcalfe', 'micali', 'milner', 'minsky',
  'nygaard', 'perlman', 'pike', 'postel', 'rabin', 'ritchie', 'rivest', 'sammet', 'shamir', 'shaw',
  'spence', 'stallman', 'strachey', 'stroustrup', 'sutherland', 'tarjan', 'thompson', 'torvalds', 'turing', 'ullman',
  'wescoff', 'wilkes', 'wing', 'wirth', 'wozniak', 'zuse',
  // electronics, signals and engineering
  'ampere', 'armstrong', 'bardeen', 'bell', 'benz', 'black', 'bode', 'brattain', 'brunel', 'clarke',
  'daimler', 'dennard', 'diesel', 'esaki', 'faggin', 'farnsworth', 'fessenden', 'goddard', 'golay', 'hartley',
  'hertz', 'kalman', 'kao', 'kilby', 'kirchhoff', 'korolev', 'lamarr', 'marconi', 'mead', 'moore',
  'morse', 'nakamura', 'noyce', 'nyquist', 'oberth', 'ohm', 'reed', 'shannon', 'shockley', 'sikorsky',
  'solomon', 'stephenson', 'tesla', 'tsiolkovsky', 'viterbi', 'volta', 'watt', 'whittle', 'wiener', 'wright',
  'yagi', 'zworykin',
  // mathematics
  'agnesi', 'boole', 'cantor', 'cauchy', 'dedekind', 'erdos', 'euclid', 'euler', 'fermat', 'fibonacci',
  'fourier', 'gauss', 'germain', 'hilbert', 'hypatia', 'kovalevskaya', 'lagrange', 'laplace', 'leibniz', 'mirzakhani',
  'nash', 'noether', 'pascal', 'poincare', 'ramanujan', 'riemann',
  // physics and astronomy
  'bethe', 'bohr', 'boltzmann', 'bose', 'brahe', 'cannon', 'chandrasekhar', 'copernicus', 'curie', 'dirac',
  'einstein', 'faraday', 'fermi', 'feynman', 'galileo', 'gibbs', 'halley', 'hawking', 'heisenberg', 'herschel',
  'hubble', 'huygens', 'kepler', 'leavitt', 'maxwell', 'meitner', 'newton', 'pauli', 'payne', 'planck',
  'raman', 'rubin', 'sagan', 'saha', 'schrodinger', 'wu', 'yukawa',
  // chemistry, biology and earth sciences
  'avogadro', 'blackburn', 'carson', 'crick', 'dalton', 'darwin', 'doudna', 'elion', 'fleming', 'franklin',
  'goodall', 'greider', 'hodgkin', 'jenner', 'lavoisier', 'lehmann', 'mcclintock', 'mendel', 'mendeleev', 'pasteur',
  'pauling', 'salk', 'sanger', 'tharp', 'tu', 'wegener', 'yalow', 'yonath',
  // space and aeronautics
  'jackson', 'jemison', 'johnson', 'ochoa', 'ride', 'tereshkova', 'vaughan',
];

/**
 * A random "adjective_surname". With `retry` > 0 (the caller's count of names already taken) a
 * random digit is appended, as docker does. `options.random(n)` returns an integer in [0, n).
 */
export function generateName(retry = 0, options: { random?: (n: number) => number } = {}): string {
  const random = options.random ?? randomInt;
  for (;;) {
    const name = `${nameAdjectives[random(nameAdjectives.length)]}_${nameSurnames[random(nameSurnames.length)]}`;
    if (name === 'boring_wozniak') continue;
    return retry > 0 ? `${name}${random(10)}` : name;
  }
}
