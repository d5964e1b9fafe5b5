// Numbers as people read them: the API sends the state's units (cpu in millicores, memory in bytes, extended
// resources in units); the console shows cores, GiB and counts.

const GIB = 1024 ** 3;
const BYTES = /^(memory|ephemeral-storage|hugepages-.*)$/;

/** The order resources are shown in: cpu, memory, accelerators, then the rest by name. */
export function resourceOrder(a, b) {
  return rank(a) - rank(b) || a.localeCompare(b);
}

function rank(name) {
  if (name === 'cpu') return 0;
  if (name === 'memory') return 1;
  if (isGpu(name)) return 2;
  if (isFpga(name)) return 3;
  if (name === 'pods') return 5;
  return 4;
}

export function isGpu(name) {
  return /gpu/i.test(name);
}

export function isFpga(name) {
  return /fpga/i.test(name);
}

export function isAccelerator(name) {
  return isGpu(name) || isFpga(name);
}

/** The unit a resource is shown in, e.g. "cores", "GiB", "" for counts. */
export function unit(name) {
  if (name === 'cpu') return 'cores';
  if (BYTES.test(name)) return 'GiB';
  return '';
}

/** The bare number of an amount in its display unit, e.g. 1500 (cpu) → "1.5". */
export function value(name, amount) {
  if (amount === undefined || amount === null) return '–';
  if (name === 'cpu') return decimal(amount / 1000);
  if (BYTES.test(name)) return decimal(amount / GIB);
  return count(amount);
}

/** An amount with its unit: "1.5 cores", "12 GiB", "4". */
export function amount(name, amt) {
  const u = unit(name);
  if (!u || amt === undefined || amt === null) return value(name, amt);
  return value(name, amt) + ' ' + (u === 'cores' && amt === 1000 ? 'core' : u);
}

/** A short name for a resource: "fpga.intel.com/region-69528db6…" is long. */
export function shortName(name) {
  const m = /^fpga\.intel\.com\/(region|af)-([0-9a-f]{8})[0-9a-f]*(\..*)?$/.exec(name);
  if (m) return `fpga ${m[1]} ${m[2]}${m[3] || ''}`;
  return name;
}

/** Resources as "2 cores, 4 GiB, nvidia.com/gpu 1". */
export function resources(map) {
  if (!map) return '';
  return Object.keys(map).filter((k) => map[k] && k !== 'pods').sort(resourceOrder)
    .map((k) => (unit(k) ? amount(k, map[k]) : `${shortName(k)} ${count(map[k])}`)).join(', ');
}

export function decimal(x) {
  if (!Number.isFinite(x)) return '–';
  const abs = Math.abs(x);
  const digits = abs >= 100 ? 0 : abs >= 10 ? 1 : 2;
  return x.toLocaleString('en-US', { maximumFractionDigits: digits });
}

export function count(n) {
  if (n === undefined || n === null || !Number.isFinite(Number(n))) return '–';
  return Number(n).toLocaleString('en-US');
}

export function rate(x) {
  return x === null || x === undefined ? '–' : decimal(x);
}

export function percent(part, whole) {
  if (!whole) return '';
  return Math.round((100 * part) / whole) + '%';
}

/** Epoch ms as local "2026-11-22 14:03:05". */
export function time(ms) {
  if (!ms) return '–';
  const d = new Date(ms);
  const p = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

/** Epoch ms as "3 s ago", "5 min ago". */
export function ago(ms, now = Date.now()) {
  if (!ms) return '–';
  return duration(now - ms) + ' ago';
}

export function duration(ms) {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 120) return s + ' s';
  const m = Math.round(s / 60);
  if (m < 120) return m + ' min';
  const h = Math.round(m / 60);
  if (h < 48) return h + ' h';
  return Math.round(h / 24) + ' d';
}
